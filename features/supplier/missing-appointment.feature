@process:supplier-agent-appointment
Feature: Missing metering service appointment
  When a supplier's registration takes effect with no metering service appointed, SMRS reminds the
  supplier (IF-045 [NoMSAppointed]) and repeats every 7 days. When a metering point's market segment
  changes and its metering service is not qualified for the new one, SMRS tells the supplier
  (IF-045 [InvalidMarketSegment]). The supplier acts on either notice by appointing a metering
  service (IF-031); the harness's other metering service (GAIN) is qualified for every segment.

  Background:
    Given the market time is 2026-01-12 09:00

  @req:MHHS-IF045-ACTION @req:MHHS-DIP-MSG-VALID @req:MHHS-MS-IF034-RESPOND
  @role:SUP @segment:S @mandatory
  Scenario: The supplier appoints a metering service when reminded that none is appointed
    Given a smart metering point 2000056535971 supplied by the losing supplier
    And the supplier is registered to 2000056535971 from 2026-01-20 with no metering service appointed
    When market time reaches 2026-01-20
    Then the registration service reminds the supplier that no metering service is appointed for 2000056535971
    And the supplier requests a metering service appointment for 2000056535971 within 60 minutes of the reminder
    And the registration service accepts the appointment request for 2000056535971
    And the metering service accepts the appointment for 2000056535971
    And the metering service appointment for 2000056535971 is active

  @req:MHHS-IF045-ACTION @req:MHHS-DIP-MSG-VALID
  @role:SUP @segment:A @mandatory
  Scenario: The supplier replaces a metering service that is not qualified for the new market segment
    Given a smart metering point 2000056535980 supplied by the supplier with the metering service appointed
    And the metering service is not qualified for the advanced market segment
    When the market segment of 2000056535980 changes to advanced
    Then the registration service tells the supplier that the metering service of 2000056535980 is not qualified for its market segment
    And the supplier requests a metering service appointment for 2000056535980 within 60 minutes of the notice
    And the gaining metering service accepts the appointment for 2000056535980

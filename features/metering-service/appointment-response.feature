@process:metering-service-appointment
Feature: Metering service response to appointment requests
  A Metering Service answers every appointment request (IF-033) with IF-034, for prospective and
  retrospective appointments alike. Retrospective appointments by the current supplier may go back
  to the supplier's latest registration date.

  @req:MHHS-MS-IF034-RESPOND @req:MHHS-DIP-IF034-VALID @req:MHHS-DIP-MSG-VALID
  @role:MSS @segment:S @mandatory
  Scenario: The metering service accepts a retrospective appointment
    Given the market time is 2026-01-15 14:00
    And a smart metering point 2300000000019 supplied by the supplier with the incumbent metering service appointed
    When the supplier appoints the metering service to 2300000000019 from 2026-01-10
    Then the registration service accepts the appointment request for 2300000000019
    And the metering service accepts the appointment for 2300000000019
    And the metering service appointment for 2300000000019 is active

  @req:MHHS-MS-IF034-RESPOND @req:MHHS-DIP-IF034-VALID @req:MHHS-DIP-MSG-VALID
  @role:MSS @segment:S @mandatory
  Scenario: The metering service accepts a prospective appointment, which activates on its date
    Given the market time is 2026-01-15 14:00
    And a smart metering point 2300000000019 supplied by the supplier with the incumbent metering service appointed
    When the supplier appoints the metering service to 2300000000019 from 2026-02-01
    Then the registration service accepts the appointment request for 2300000000019
    And the metering service accepts the appointment for 2300000000019
    When market time reaches 2026-02-01
    Then the metering service appointment for 2300000000019 is active

  @req:MHHS-MS-IF034-RESPOND @req:MHHS-DIP-IF034-VALID
  @role:MSS @segment:S @mandatory
  Scenario: A change of metering service, with central state stated as tables
    Given the market time is 2026-01-15 14:00
    And the registration service holds these metering points:
      | mpan          | segment | gsp group | energisation |
      | 1900012374324 | S       | _N        | E            |
    And these supplier registrations:
      | mpan          | supplier     | from       |
      | 1900012374324 | the supplier | 2024-06-01 |
    And these metering service appointments:
      | mpan          | metering service               | from       |
      | 1900012374324 | the incumbent metering service | 2024-06-01 |
    When the supplier appoints the metering service to 1900012374324 from 2026-02-01
    Then the registration service accepts the appointment request for 1900012374324
    And the metering service accepts the appointment for 1900012374324
    When market time reaches 2026-02-01
    Then the metering service appointment for 1900012374324 is active

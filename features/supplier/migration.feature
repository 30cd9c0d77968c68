@process:migration
Feature: Forward migration of legacy metering points
  A qualified supplier moves a metering point still under legacy arrangements into MHHS by
  appointing its MHHS metering service: with appointment scenario MCA when it is the current
  supplier (change of agent), MCS when it gains the point on a switch (change of supplier). SMRS
  asks the legacy meter operator by DTN (D0170) to send its meter technical details to the new
  service, tells the gaining parties by DIP as usual, and marks the point migrated once the
  appointment takes effect.

  Background:
    Given the market time is 2026-01-05 09:00

  @req:MHHS-MIG-MCA-MCS
  @role:SUP @role:MSS @segment:S @mandatory
  Scenario: The gaining supplier migrates a legacy metering point with the switch (MCS)
    Given a legacy smart metering point 2300000000019 supplied by the losing supplier
    When a switch of 2300000000019 to the supplier effective 2026-01-20 becomes pending
    Then the supplier appoints the metering service to 2300000000019 with appointment scenario MCS
    And the registration service accepts the appointment request for 2300000000019
    And the metering service accepts the appointment for 2300000000019
    And the legacy meter operator is asked by D0170 for the meter technical details of 2300000000019
    When market time reaches 2026-01-20
    Then the metering service appointment for 2300000000019 is active
    And 2300000000019 is migrated to MHHS

  @req:MHHS-MIG-MCA-MCS
  @role:SUP @role:MSS @segment:S @mandatory
  Scenario: The supplier migrates its own legacy metering point (MCA)
    Given the registration service holds these metering points:
      | mpan          | segment | migrated |
      | 1412345678901 | S       | no       |
    And these supplier registrations:
      | mpan          | supplier     | from       |
      | 1412345678901 | the supplier | 2020-01-01 |
    And these metering service appointments:
      | mpan          | metering service          | from       |
      | 1412345678901 | the legacy meter operator | 2020-01-01 |
    When the supplier migrates 1412345678901 to MHHS from 2026-01-20
    Then the supplier appoints the metering service to 1412345678901 with appointment scenario MCA
    And the registration service accepts the appointment request for 1412345678901
    And the metering service accepts the appointment for 1412345678901
    And the legacy meter operator is asked by D0170 for the meter technical details of 1412345678901
    When market time reaches 2026-01-20
    Then the metering service appointment for 1412345678901 is active
    And 1412345678901 is migrated to MHHS

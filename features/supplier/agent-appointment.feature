@process:supplier-agent-appointment
Feature: Metering service appointment on a pending switch
  When the Registration Service tells a gaining Supplier that a switch is pending (IF-002), the
  Supplier appoints its Metering Service (IF-031) within 60 minutes. SMRS validates the request,
  the Metering Service accepts it (IF-033/IF-034), and the appointment becomes active on the
  effective date (IF-036), when the switch completes (IF-001).

  Background:
    Given the market time is 2026-01-05 09:00

  @req:REC-MO-22.6.1 @req:MHHS-DIP-IF031-VALID @req:MHHS-APP-EFD-MIDNIGHT @req:MHHS-MS-IF034-RESPOND @req:MHHS-DIP-IF034-VALID
  @role:SUP @role:MSS @segment:S @mandatory
  Scenario: The gaining supplier appoints its metering service on a pending switch
    Given a smart metering point 2300000000019 supplied by the losing supplier
    When a switch of 2300000000019 to the supplier effective 2026-01-20 becomes pending
    Then the supplier requests a metering service appointment for 2300000000019 within 60 minutes
    And the registration service accepts the appointment request for 2300000000019
    And the metering service accepts the appointment for 2300000000019
    When market time reaches 2026-01-20
    Then the metering service appointment for 2300000000019 is active
    And the registration service tells the supplier that the switch of 2300000000019 is complete

  @req:REC-MO-22.6.1 @req:MHHS-DIP-IF031-VALID
  @role:SUP @segment:S @mandatory
  Scenario: A switch that becomes pending late in the evening is still answered within the hour
    Given the market time is 2026-01-05 23:40
    And a smart metering point 1412345678901 supplied by the losing supplier
    When a switch of 1412345678901 to the supplier effective 2026-01-22 becomes pending
    Then the supplier requests a metering service appointment for 1412345678901 within 60 minutes
    And the registration service accepts the appointment request for 1412345678901

  @req:MHHS-APP-EFD-MIDNIGHT @req:REC-MO-22.6.1 @req:MHHS-MS-IF034-RESPOND
  @role:SUP @role:MSS @segment:S @mandatory
  Scenario: An appointment effective in British Summer Time starts at local midnight, not UTC midnight
    Given the market time is 2026-06-15 10:00
    And a smart metering point 1900012374324 supplied by the losing supplier
    When a switch of 1900012374324 to the supplier effective 2026-07-01 becomes pending
    Then the supplier requests a metering service appointment for 1900012374324 within 60 minutes
    And the registration service accepts the appointment request for 1900012374324
    And the metering service accepts the appointment for 1900012374324
    When market time reaches 2026-07-01
    Then the metering service appointment for 1900012374324 is active

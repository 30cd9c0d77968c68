@process:supplier-agent-appointment
Feature: A rejected metering service appointment is proposed again
  A proposed metering service appointment can be rejected: by the Registration Service when it
  validates the request (IF-032 rejection, REC step 22.6.3), for instance because the proposed
  service is not qualified for the metering point's market segment (REG1031), or by the proposed
  Metering Service itself (IF-034 rejection, then IF-035 [MSAppRejected]). While its registration
  is pending and no other appointment covers the metering point, the Supplier proposes a metering
  service again within 60 minutes. The harness's other metering service (GAIN, DIP id 1200000098)
  accepts what is proposed to it.

  Background:
    Given the market time is 2026-01-05 09:00

  @req:REC-MO-22.6.3-REPROPOSE @req:REC-MO-22.6.1 @req:MHHS-DIP-IF031-VALID
  @role:SUP @segment:S @mandatory
  Scenario: The proposed metering service declines and the supplier proposes another one
    Given a smart metering point 2300000000028 supplied by the losing supplier
    And the metering service declines appointments to 2300000000028
    When a switch of 2300000000028 to the supplier effective 2026-01-20 becomes pending
    Then the supplier requests a metering service appointment for 2300000000028 within 60 minutes
    And the registration service accepts the appointment request for 2300000000028
    And the metering service declines the appointment for 2300000000028
    And the supplier proposes another metering service for 2300000000028 within 60 minutes
    And the registration service accepts the new appointment request for 2300000000028
    And the gaining metering service accepts the appointment for 2300000000028

  @req:REC-MO-22.6.3-REPROPOSE @req:REC-MO-22.6.1 @req:MHHS-DIP-IF031-VALID
  @role:SUP @segment:A @mandatory
  Scenario: The registration service rejects a metering service not qualified for the segment and the supplier proposes a qualified one
    Given an advanced metering point 1412345678910 supplied by the losing supplier
    And the metering service is not qualified for the advanced market segment
    When a switch of 1412345678910 to the supplier effective 2026-01-20 becomes pending
    Then the supplier requests a metering service appointment for 1412345678910 within 60 minutes
    And the registration service rejects the appointment request for 1412345678910 with REG1031
    And the supplier proposes another metering service for 1412345678910 within 60 minutes
    And the registration service accepts the new appointment request for 1412345678910
    And the gaining metering service accepts the appointment for 1412345678910

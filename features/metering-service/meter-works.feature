@process:meter-works
Feature: Meter technical details after meter works
  After installing, exchanging or removing a meter, the Metering Service sends the meter technical
  details to SMRS (IF-005) within 3 working days of the works; SMRS publishes them to the supplier
  and the other parties (IF-006).

  Background:
    Given the market time is 2026-03-31 10:00

  @req:REC-MO-MTD-IF005-3WD @req:MHHS-READ-IF041-CUMULATIVE @req:MHHS-DIP-MSG-VALID
  @role:MSS @segment:S @mandatory
  Scenario Outline: Meter works are reported within 3 working days, Easter included
    Given a smart metering point 2300000000019 supplied by the supplier with the metering service appointed
    When the metering service <works> at 2300000000019
    And 4 working days pass
    Then the metering service reports the meter technical details for 2300000000019 within 3 working days
    And the registration service publishes the meter technical details for 2300000000019 to the supplier
    And the metering service shares the <readings> readings for 2300000000019

    Examples: works
      | works               | readings                 |
      | installs a meter    | installation             |
      | exchanges the meter | removal and installation |
      | removes the meter   | removal                  |

  @req:REC-DTN-FLOW-VALID @req:REC-MO-MTD-IF005-3WD @req:MHHS-DIP-MSG-VALID @req:REC-READ-D0010-REGISTER
  @role:MSS @segment:A @mandatory
  Scenario: An advanced meter exchange is also reported by D0268, its register readings by D0010
    Given an advanced metering point 1900012374324 supplied by the supplier with the metering service appointed
    When the metering service exchanges the meter at 1900012374324
    And 4 working days pass
    Then the metering service reports the meter technical details for 1900012374324 within 3 working days
    And the metering service sends the advanced meter technical details for 1900012374324 by D0268
    And the metering service shares the register readings for 1900012374324 by D0010

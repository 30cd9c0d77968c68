@process:change-of-energisation
Feature: Change of energisation
  The Metering Service reports a change of energisation status to SMRS by its own IF-007, never
  folded into a meter update; SMRS notifies the supplier and the other parties (IF-008).

  Background:
    Given the market time is 2026-02-02 11:00

  @req:MHHS-COES-IF007 @req:MHHS-DIP-MSG-VALID
  @role:MSS @segment:S @mandatory
  Scenario Outline: The metering service reports an energisation change separately
    Given a smart metering point 1400001234565 supplied by the supplier with the metering service appointed
    When the metering service <change> the metering point 1400001234565
    And 4 working days pass
    Then the metering service reports the energisation change for 1400001234565 within 3 working days
    And the registration service confirms the energisation change for 1400001234565 to the supplier

    Examples:
      | change        |
      | de-energises  |
      | energises     |

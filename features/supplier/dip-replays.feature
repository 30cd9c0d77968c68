@process:dip-message-handling
Feature: Replayed DIP messages
  The DIP can deliver a publication again as a replay: the same transaction id, with the
  replayIndicator set (a requeue after an outage, for instance). A participant acts on each message
  once. A replay of a message it has already acted on changes nothing; a replay of one it never
  received (it could not be reached) is acted on like the original.

  Background:
    Given the market time is 2026-01-05 09:00

  @req:MHHS-DIP-REPLAY @req:REC-MO-22.6.1
  @role:SUP @segment:S @mandatory
  Scenario: A replayed IF-002 the supplier has already acted on draws no second appointment request
    Given a smart metering point 2300000000019 supplied by the losing supplier
    When a switch of 2300000000019 to the supplier effective 2026-01-20 becomes pending
    Then the supplier requests a metering service appointment for 2300000000019 within 60 minutes
    And the registration service accepts the appointment request for 2300000000019
    When the DIP replays the last IF-002 to the supplier
    Then the supplier sends no second metering service appointment request for 2300000000019 within 60 minutes

  @req:MHHS-DIP-REPLAY @req:REC-MO-22.6.1
  @role:SUP @segment:S @mandatory
  Scenario: A replayed IF-002 the supplier never received is acted on once
    Given a smart metering point 1412345678901 supplied by the losing supplier
    And the DIP cannot reach the supplier
    When a switch of 1412345678901 to the supplier effective 2026-01-20 becomes pending
    Then the DIP could not deliver the IF-002 for 1412345678901 to the supplier
    When the DIP can reach the supplier again
    And the DIP replays the last IF-002 to the supplier
    Then the supplier requests a metering service appointment for 1412345678901 within 60 minutes
    And the registration service accepts the appointment request for 1412345678901
    And the supplier sends no second metering service appointment request for 1412345678901 within 60 minutes

@process:migration
Feature: Reverse migration around M14
  Until M14 (28 October 2026) a customer may switch to a supplier that is not MHHS-qualified: the
  metering point returns to legacy arrangements on the switch date and SMRS de-appoints the MHHS
  metering service (IF-003 [MSDeAppRM]), which then sends nothing more for that MPAN. From M14 on,
  and for complex metered sites always, CSS refuses such a switch and the metering service stays.

  @req:MHHS-MIG-REVERSE-M14
  @role:MSS @segment:S @mandatory
  Scenario: The day before M14 a switch to a legacy supplier reverse migrates the metering point
    Given the market time is 2026-10-27 10:00
    And a smart metering point 2300000000019 supplied by the supplier with the metering service appointed
    When a switch of 2300000000019 to a legacy supplier effective 2026-11-10 is requested
    And market time reaches 2026-11-10
    Then the metering service is de-appointed from 2300000000019 by reverse migration
    When 4 working days pass

  @req:MHHS-MIG-REVERSE-M14
  @role:MSS @segment:S @mandatory
  Scenario: On M14 a switch to a legacy supplier is refused and the metering service stays
    Given the market time is 2026-10-28 09:00
    And a smart metering point 2300000000019 supplied by the supplier with the metering service appointed
    When a switch of 2300000000019 to a legacy supplier effective 2026-11-10 is requested
    Then the switch to the legacy supplier is refused
    When market time reaches 2026-11-10
    Then the metering service is appointed to 2300000000019

  @req:MHHS-MIG-REVERSE-M14
  @role:MSS @segment:S @mandatory
  Scenario: A complex metered site is never reverse migrated
    Given the market time is 2026-10-27 10:00
    And a smart metering point 1412345678901 supplied by the supplier with the metering service appointed
    And 1412345678901 is a complex metered site
    When a switch of 1412345678901 to a legacy supplier effective 2026-11-10 is requested
    Then the switch to the legacy supplier is refused

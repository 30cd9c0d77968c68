@process:switch-meter-reads
Feature: Switch meter reading exceptions
  REC Schedule 30 as changed for MHHS: when no valid switch reading has arrived within 10 working
  days of the supply start date, the switch meter reading exceptions process is triggered, now for
  every electricity meter. The gaining Supplier raises it with a D0010 whose reading type is
  'Supplier Agreed Switch Read' (J0171 X), read at the supply start date, which tells the Data
  Service that the read resolves the exception. A Smart meter's read is of its total cumulative
  register. When the Data Service shares the switch read in time, no exception is due.

  Background:
    Given the market time is 2026-03-20 09:00

  @req:REC-SCH30-10WD
  @role:SUP @segment:S @mandatory
  Scenario: The gaining supplier raises the exception when no switch read arrives, Easter included
    Given the supplier follows market time
    And a smart metering point 2300000000019 supplied by the losing supplier
    And the total cumulative register of the meter at 2300000000019 is register 01
    When a switch of 2300000000019 to the supplier effective 2026-03-25 becomes pending
    And market time reaches 2026-03-25
    And 11 working days pass
    Then the supplier raises a switch read exception for 2300000000019 within 5 working days

  @req:REC-SCH30-10WD
  @role:SUP @segment:S @mandatory
  Scenario: No exception is raised when the data service shares the switch read
    Given the supplier follows market time
    And a smart metering point 1412345678901 supplied by the losing supplier
    When a switch of 1412345678901 to the supplier effective 2026-03-25 becomes pending
    And market time reaches 2026-03-25
    And the data service shares the switch read for 1412345678901
    And 16 working days pass
    Then the supplier raises no switch read exception for 1412345678901

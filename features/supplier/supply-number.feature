@process:supply-number
Feature: Supply Number on bills
  A Supplier prints the Supply Number on every bill. REC change R0083 (MHHS go-live, all MPANs) made
  its top line the Profile Class, the SSC in place of the Meter Timeswitch Code, and the DUoS Tariff
  Id in place of the LLFC Id; a value that is not available is left blank, and a non-migrated MPAN
  keeps its LLFC Id. The Profile Class stays mandatory only for Traditional meters.

  Background:
    Given the market time is 2026-01-05 09:00

  @req:REC-R0083-SUPPLYNUMBER
  @role:SUP @segment:S @segment:A @mandatory
  Scenario Outline: The bill of a <regime> <segment> metering point carries the R0083 Supply Number
    Given a <regime> <segment> metering point <mpan> supplied by the supplier with profile class <pc>, SSC <ssc>, MTC <mtc>, LLFC <llfc> and DUoS tariff <tariff>
    When the supplier bills the customer at <mpan>
    Then the bill for <mpan> shows the R0083 supply number

    Examples:
      | regime       | segment  | mpan          | pc   | ssc  | mtc | llfc | tariff |
      | migrated     | smart    | 2300000000019 | none | 0393 | 845 | 801  | A12    |
      | migrated     | advanced | 1900012374324 | none | 0151 | 801 | 620  | 2B4    |
      | non-migrated | smart    | 1412345678901 | 01   | 0393 | 845 | 801  | A12    |

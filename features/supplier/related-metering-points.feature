@process:related-metering-points
Feature: Related metering points and import/export associations
  A supplier associates an export metering point with its import (or relates secondary metering
  points to a primary) by IF-019. SMRS confirms with IF-020 and appoints the principal's metering
  service to the subsidiaries, de-appointing their own (IF-037); from then on appointments are
  made on the principal only.

  Background:
    Given the market time is 2026-02-09 10:00

  @req:REC-RMP-IF019 @req:MHHS-DIP-MSG-VALID
  @role:SUP @segment:S @mandatory
  Scenario Outline: The supplier links subsidiary metering points to a principal
    Given a smart metering point 2300000000019 supplied by the supplier with the metering service appointed
    And a smart metering point 1412345678901 supplied by the supplier with the incumbent metering service appointed
    When the supplier <links> 1412345678901 to 2300000000019
    Then the supplier requests the relationship for 2300000000019 within 60 minutes
    And the registration service confirms the relationship for 2300000000019
    And the metering service is appointed to 1412345678901

    Examples:
      | links                     |
      | associates export         |
      | relates secondary         |

  @req:REC-RMP-IF019 @req:MHHS-DIP-MSG-VALID
  @role:SUP @segment:S @mandatory
  Scenario Outline: The supplier removes a subsidiary from its principal, and its own metering service returns
    Given a smart metering point 2300000000019 supplied by the supplier with the metering service appointed
    And a smart metering point 1412345678901 supplied by the supplier with the incumbent metering service appointed
    When the supplier <links> 1412345678901 to 2300000000019
    Then the registration service confirms the relationship for 2300000000019
    When the supplier removes <kind> 1412345678901 from 2300000000019
    Then the supplier requests the relationship for 2300000000019 within 60 minutes
    And the registration service confirms the relationship for 2300000000019
    And the incumbent metering service is appointed to 1412345678901

    Examples:
      | links                     | kind      |
      | associates export         | export    |
      | relates secondary         | secondary |

  @req:REC-RMP-IF019 @req:MHHS-DIP-MSG-VALID
  @role:SUP @segment:S @mandatory
  Scenario: The supplier adds a further secondary to a related metering point relationship
    Given a smart metering point 2300000000019 supplied by the supplier with the metering service appointed
    And a smart metering point 1412345678901 supplied by the supplier with the incumbent metering service appointed
    And a smart metering point 1412345678910 supplied by the supplier with the incumbent metering service appointed
    When the supplier relates secondary 1412345678901 to 2300000000019
    Then the registration service confirms the relationship for 2300000000019
    When the supplier adds secondary 1412345678910 to 2300000000019
    Then the supplier requests the relationship for 2300000000019 within 60 minutes
    And the registration service confirms the relationship for 2300000000019
    And the metering service is appointed to 1412345678910

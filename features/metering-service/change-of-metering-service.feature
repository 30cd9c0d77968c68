@process:change-of-metering-service
Feature: Meter technical details on a change of metering service
  When a new metering service is accepted for an Advanced metering point, SMRS tells the incumbent
  (losing) service to send its MTDs to the gaining one (IF-035 [IMS-SendMTD]); the losing service
  sends them by D0268 within 120 minutes of the acceptance. A gaining service whose MTDs do not
  arrive in that window asks the losing one for them with D0170. Smart MTDs reach the gaining
  service from SMRS (IF-036). Traditional meters (D0149/D0150) are not exercised here: the
  reference metering service has none.

  @req:REC-MO-IMS-120MIN @req:REC-DTN-FLOW-VALID
  @role:MSS @segment:A @mandatory
  Scenario: The losing metering service sends the advanced MTDs to the gaining one by D0268
    Given the market time is 2026-02-02 10:00
    And an advanced metering point 1900012374324 supplied by the supplier with the metering service appointed
    When the metering service installs a meter at 1900012374324
    Then the metering service sends the advanced meter technical details for 1900012374324 by D0268
    When the supplier appoints the gaining metering service to 1900012374324 from 2026-02-09
    Then the gaining metering service accepts the appointment for 1900012374324
    And the registration service tells the metering service to send its meter technical details for 1900012374324 to the gaining metering service
    And the metering service sends the advanced meter technical details for 1900012374324 to the gaining metering service within 120 minutes

  @req:REC-MO-D0170-MISSINGMTD @req:REC-DTN-FLOW-VALID
  @role:MSS @segment:A @mandatory
  Scenario: The gaining metering service requests missing MTDs with D0170
    Given the market time is 2026-02-02 10:00
    And an advanced metering point 1900012374324 supplied by the supplier with the incumbent metering service appointed
    When the supplier appoints the metering service to 1900012374324 from 2026-02-09
    Then the registration service accepts the appointment request for 1900012374324
    And the metering service accepts the appointment for 1900012374324
    When 2 hours pass
    Then the metering service requests the missing meter technical details for 1900012374324 from the incumbent metering service by D0170

  @req:REC-MO-D0170-MISSINGMTD
  @role:MSS @segment:A @mandatory
  Scenario: The gaining metering service does not chase MTDs that arrived
    Given the market time is 2026-02-02 10:00
    And an advanced metering point 1900012374324 supplied by the supplier with the incumbent metering service appointed
    When the supplier appoints the metering service to 1900012374324 from 2026-02-09
    Then the registration service accepts the appointment request for 1900012374324
    And the metering service accepts the appointment for 1900012374324
    When the incumbent metering service sends the advanced meter technical details for 1900012374324 to the metering service
    And 2 hours pass
    Then the metering service does not request meter technical details for 1900012374324 by D0170 within 60 minutes

#!/usr/bin/env python3
"""A minimal Supplier written only from the DIP API description, outside the harness's code.

It shows what a candidate's own system does in the appointment process:
  1. receives DIP publications on its webhook (POST /dip/inbound, an egress array);
  2. on IF-002 [GainMPANInfo], reads its CSS registration (the switch it requested) to learn the
     supply start date, and sends IF-031 [MSApp] appointing the harness's metering service from
     local (Europe/London) midnight of that date;
  3. on IF-045 [NoMSAppointed], appoints that metering service from local midnight today;
  4. on IF-045 [InvalidMarketSegment] (its service is not qualified for the new segment), and when a
     proposal is rejected (IF-032 R for a reason about the service, or IF-035 [MSAppRejected]),
     proposes the harness's other metering service instead;
  5. acts once per DIP transaction: a replay (D0 replayIndicator, same transactionID) of a message
     it has already received changes nothing, while one it never received is acted on.

Usage: supplier.py --listen 127.0.0.1:9101 --dip http://127.0.0.1:7401 --css http://127.0.0.1:7402
                   --dip-id 2300000077 --mpid OUTS [--api-key KEY]
Only the Python standard library is used.
"""
import argparse
import datetime as dt
import json
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# The metering service the harness plays (README, "Parties the harness plays").
MS_DIP_ID, MS_MPID = "1200000015", "REFM"
# The harness's other metering service, qualified for every segment; it accepts what is proposed to it.
FALLBACK_DIP_ID, FALLBACK_MPID = "1200000098", "GAIN"
# SMRS rejections another metering service can cure: not qualified for the segment, unknown DIP id, MPID mismatch.
SERVICE_REJECTIONS = ("REG1031", "REG1090", "REG1091")


def dip_time(moment):
    """DIP datetime: exactly 25 characters, yyyy-MM-ddTHH:mm:ss+hh:mm."""
    return moment.isoformat(timespec="seconds")


def send(args, interface, event, m0, custom, correlation):
    now = dt.datetime.now(LONDON)
    s1 = {
        "environmentTag": "SIT", "subText": None,
        "senderUniqueReference": f"S-{interface}-{args.dip_id}-SUP-{now:%Y%m%d}-{uuid.uuid4().hex[:16]}",
        "senderTimestamp": dip_time(now), "senderDIPID": args.dip_id, "senderRoleID": "SUP",
        "senderCorrelationID": correlation, "DIPConnectionProviderID": None,
    }
    body = [{"payload": {"CommonBlock": {"S0": {"interfaceID": interface, "schemaVersion": "011", "eventCode": event},
                                         "S1": s1, "M0": m0}, "CustomBlock": custom}}]
    request = urllib.request.Request(f"{args.dip}/dip-channel/{interface}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    if args.api_key:
        request.add_header("X-API-Key", args.api_key)
    with urllib.request.urlopen(request, timeout=30) as response:
        print(f"sent {interface} {event} for {m0['MPANCore']}: {response.status}", flush=True)


def on_gain_mpan_info(args, payload):
    common, custom = payload["CommonBlock"], payload["CustomBlock"]
    registration_id = custom["B013"]["CSSRegistrationID"]
    with urllib.request.urlopen(f"{args.css}/css/registrations/{registration_id}", timeout=30) as r:
        registration = json.load(r)
    start = dt.date.fromisoformat(registration["effectiveFromDate"])
    midnight = dt.datetime(start.year, start.month, start.day, tzinfo=LONDON)
    # B005 names the incumbent metering service; a legacy meter operator has an MPID but no DIP id,
    # so the point is not migrated yet and a qualified supplier migrates it with the switch (MCS).
    incumbent = custom.get("B005") or {}
    legacy = incumbent.get("currentMeteringServiceMPID") and not incumbent.get("currentMeteringServiceDIPID")
    send(args, "IF-031", "[MSApp]", common["M0"], {
        "B013": {"CSSRegistrationID": registration_id},
        "B070": {"proposedMeteringServiceDIPID": MS_DIP_ID, "proposedMeteringServiceMPID": MS_MPID,
                 "proposedMeteringServiceDIPEffectiveFromDate": dip_time(midnight),
                 "contractReferenceMeteringService": "OUTSIDE-001", "appointmentScenario": "MCS" if legacy else "COS"},
    }, common["S1"].get("senderCorrelationID"))


def on_missing_appointment(args, payload):
    """IF-045 [NoMSAppointed]: no metering service from our registration date; appoint one from today."""
    appoint_from_today(args, payload, MS_DIP_ID, MS_MPID)


def on_invalid_segment(args, payload):
    """IF-045 [InvalidMarketSegment]: our service is not qualified for the new segment; change to one that is."""
    appoint_from_today(args, payload, FALLBACK_DIP_ID, FALLBACK_MPID)


def appoint_from_today(args, payload, dip_id, mpid):
    common = payload["CommonBlock"]
    today = dt.datetime.fromisoformat(common["D0"]["transactionTimestamp"]).astimezone(LONDON).date()
    midnight = dt.datetime(today.year, today.month, today.day, tzinfo=LONDON)
    send(args, "IF-031", "[MSApp]", common["M0"], {
        "B070": {"proposedMeteringServiceDIPID": dip_id, "proposedMeteringServiceMPID": mpid,
                 "proposedMeteringServiceDIPEffectiveFromDate": dip_time(midnight),
                 "contractReferenceMeteringService": "OUTSIDE-001", "appointmentScenario": "CSP"},
    }, common["S1"].get("senderCorrelationID"))


def on_rejection(args, payload):
    """A rejected proposal on a switch: propose the other metering service with the same date and scenario."""
    common, custom = payload["CommonBlock"], payload["CustomBlock"]
    proposal = dict(custom.get("B070") or {})
    if common["S0"]["interfaceID"] == "IF-032":
        r0 = common.get("R0") or {}
        messages = [str(m) for m in r0.get("responseMessages") or []]
        if r0.get("responseCode") != "R" or not messages or not all(m.startswith(SERVICE_REJECTIONS) for m in messages):
            return
    # A change of service by the current supplier leaves its service standing; the fallback has no fallback.
    if proposal.get("appointmentScenario") in ("CSP", "USP", "MCA") or proposal.get("proposedMeteringServiceDIPID") == FALLBACK_DIP_ID:
        return
    proposal.update(proposedMeteringServiceDIPID=FALLBACK_DIP_ID, proposedMeteringServiceMPID=FALLBACK_MPID,
                    contractReferenceMeteringService="OUTSIDE-002")
    reply = {"B070": proposal}
    if "B013" in custom:
        reply["B013"] = custom["B013"]
    send(args, "IF-031", "[MSApp]", common["M0"], reply, None)


def make_handler(args):
    seen, seen_lock = set(), threading.Lock()

    def first_time(payload):
        """True the first time a DIP transaction arrives (replays and redeliveries repeat its id)."""
        transaction = (payload["CommonBlock"].get("D0") or {}).get("transactionID")
        if transaction is None:
            return True
        with seen_lock:
            if transaction in seen:
                return False
            seen.add(transaction)
            return True

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            try:
                items = json.loads(self.rfile.read(length))
            except ValueError:
                self.send_response(400); self.end_headers(); return
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"messageArray": [{"message": "MSG0000 - Success"} for _ in items]}).encode())
            for item in items:
                payload = item["payload"]
                s0 = payload["CommonBlock"]["S0"]
                print(f"received {s0['interfaceID']} {s0['eventCode']}", flush=True)
                handler = {("IF-002", "[GainMPANInfo]"): on_gain_mpan_info,
                           ("IF-045", "[NoMSAppointed]"): on_missing_appointment,
                           ("IF-045", "[InvalidMarketSegment]"): on_invalid_segment,
                           ("IF-035", "[MSAppRejected]"): on_rejection}.get((s0["interfaceID"], s0["eventCode"]))
                if s0["interfaceID"] == "IF-032":
                    handler = on_rejection
                if handler and first_time(payload):
                    threading.Thread(target=handler, args=(args, payload), daemon=True).start()

        def log_message(self, *_):
            pass
    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:9101")
    parser.add_argument("--dip", default="http://127.0.0.1:7401")
    parser.add_argument("--css", default="http://127.0.0.1:7402")
    parser.add_argument("--dip-id", default="2300000077")
    parser.add_argument("--mpid", default="OUTS")
    parser.add_argument("--api-key")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), make_handler(args))
    print(f"outside supplier {args.mpid} listening on http://{args.listen}/dip/inbound", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

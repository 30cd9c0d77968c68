using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Qualification.Domain.Dip;

namespace Qualification.ReferenceParticipants;

// The web portal: the driver actions as plain HTML forms, for candidates operated by
// people through a browser. Posting a form performs exactly what the driver API does. The page
// carries the market time in a hidden field (marketTime), so a harness driving the portal through a
// browser keeps the participant's test clock in step the same way the driver API does.
public sealed partial class ReferenceParticipant
{
    /// <summary>Form fields of each portal action (the driver API's parameters, docs/driver-api.md).</summary>
    public static IReadOnlyDictionary<string, string[]> PortalFields { get; } = new Dictionary<string, string[]>
    {
        ["install-meter"] = ["mpan", "distributorDipId", "gspGroup", "meterId", "supplierDipId"],
        ["exchange-meter"] = ["mpan", "distributorDipId", "gspGroup", "meterId", "removedMeterId", "supplierDipId"],
        ["remove-meter"] = ["mpan", "distributorDipId", "gspGroup", "meterId", "removedMeterId", "supplierDipId"],
        ["change-energisation"] = ["mpan", "distributorDipId", "gspGroup", "status"],
        ["decline-appointments"] = ["mpan", "distributorDipId", "gspGroup", "reason"],
        ["appoint-metering-service"] = ["mpan", "distributorDipId", "gspGroup", "effectiveFrom", "serviceDipId", "serviceMpid", "scenario"],
        ["associate-import-export"] = ["mpan", "distributorDipId", "gspGroup", "subsidiaryMpan"],
        ["relate-metering-points"] = ["mpan", "distributorDipId", "gspGroup", "subsidiaryMpan"],
        ["remove-import-export"] = ["mpan", "distributorDipId", "gspGroup", "subsidiaryMpan"],
        ["add-related-metering-points"] = ["mpan", "distributorDipId", "gspGroup", "subsidiaryMpan"],
        ["remove-related-metering-points"] = ["mpan", "distributorDipId", "gspGroup", "subsidiaryMpan"],
        ["migrate-metering-point"] = ["mpan", "distributorDipId", "gspGroup", "effectiveFrom", "serviceDipId", "serviceMpid"],
        ["bill"] = ["mpan", "migrated", "profileClass", "ssc", "meterTimeswitchCode", "llfc", "duosTariffId"],
    };

    // An action without its own list still gets a usable form.
    private static string[] FieldsOf(string action) => PortalFields.GetValueOrDefault(action, ["mpan", "distributorDipId", "gspGroup"]);

    private void MapPortal(IEndpointRouteBuilder app)
    {
        app.MapGet("/portal", () => Html("Work management", $"""
            <p>{Enc(_options.Role)} {Enc(_options.Mpid)} ({Enc(_options.DipId)})</p>
            <ul>{string.Concat(DriverActions[_options.Role].Select(a => $"<li><a id=\"link-{a}\" href=\"/portal/{a}\">{Enc(a)}</a></li>"))}</ul>
            """));
        app.MapGet("/portal/{action}", (string action) =>
        {
            if (!DriverActions[_options.Role].Contains(action)) return Html("Unknown action", $"<p id=\"error\">This {Enc(_options.Role)} has no '{Enc(action)}'.</p>", 404);
            var fields = new StringBuilder();
            foreach (var f in FieldsOf(action))
            {
                var input = f == "status"
                    ? $"<select id=\"{f}\" name=\"{f}\"><option value=\"E\">E (energised)</option><option value=\"D\">D (de-energised)</option></select>"
                    : $"<input id=\"{f}\" name=\"{f}\" type=\"text\">";
                fields.Append(Field(f, input));
            }
            return Html(action, $"""
                <form id="action-form" method="post" action="/portal/{action}">
                  <input id="marketTime" name="marketTime" type="hidden" value="">
                  {fields}
                  <button id="submit" type="submit">Submit {Enc(action)}</button>
                </form>
                """);
        });
        app.MapPost("/portal/{action}", async (string action, HttpContext context) =>
        {
            if (!context.Request.HasFormContentType) return Html("Not a form", "<p id=\"error\">Post the form.</p>", 415);
            var form = await context.Request.ReadFormAsync();
            var parameters = new JsonObject();
            foreach (var f in FieldsOf(action))
                if (form.TryGetValue(f, out var v) && !string.IsNullOrWhiteSpace(v.ToString())) parameters[f] = v.ToString().Trim();
            var error = await AcceptActionAsync(action, form["marketTime"].ToString(), parameters, "portal");
            return error is null
                ? Html("Accepted", $"<p id=\"result\">Accepted: {Enc(action)} for {Enc(parameters.Text("mpan"))}</p>{BillHtml(action, parameters)}<p><a href=\"/portal\">Back</a></p>")
                : Html("Refused", $"<p id=\"error\">Refused: {Enc(error)}</p>", 400);
        });
    }

    private static string Field(string field, string input) => $"<p><label for=\"{field}\">{field}</label> {input}</p>";

    private static string Enc(string? s) => WebUtility.HtmlEncode(s ?? "");

    private static IResult Html(string title, string body, int status = 200) => Results.Content(
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{Enc(title)}</title></head><body><h1>{Enc(title)}</h1>{body}</body></html>",
        "text/html; charset=utf-8", Encoding.UTF8, status);
}

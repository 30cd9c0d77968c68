using System.Globalization;
using System.Text.RegularExpressions;

namespace Qualification.Dtn.Definitions;

/// <summary>The logical type of a DTC data item.</summary>
public enum DataKind
{
    /// <summary>No format known (the DTC leaves it blank): only the characters are checked.</summary>
    Unknown,
    /// <summary>CHAR(n): up to n characters.</summary>
    Char,
    /// <summary>NUM(n) or NUM(n,m), optionally signed: up to n integer digits and m decimals.</summary>
    Number,
    /// <summary>INT(n): up to n digits.</summary>
    Integer,
    /// <summary>DATE: ccyymmdd.</summary>
    Date,
    /// <summary>DATETIME: ccyymmddhhmmss.</summary>
    DateTime,
    /// <summary>BOOLEAN: T or F.</summary>
    Boolean,
}

/// <summary>
/// A DTC logical format such as <c>CHAR(10)</c>, <c>NUM(9 ,1)</c>, <c>±NUM(14 ,1)</c>, <c>DATE</c> or
/// <c>BOOLEAN</c>, and the check of a field value against it.
/// </summary>
public sealed partial record DataFormat(DataKind Kind, int Length, int Decimals, bool Signed, string Text)
{
    /// <summary>A format that accepts any printable text.</summary>
    public static DataFormat Unknown { get; } = new(DataKind.Unknown, 0, 0, false, "");

    [GeneratedRegex(@"^\s*(?<sign>±|\+/-)?\s*(?<kind>CHAR|NUM|INT|DATETIME|DATE|BOOLEAN)?\s*(\(\s*(?<n>\d+)\s*(,\s*(?<m>\d+)\s*)?\))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();

    /// <summary>Parses a DTC logical format; blank or unrecognised text gives <see cref="Unknown"/>.</summary>
    public static DataFormat Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Unknown;
        var m = Pattern().Match(text);
        if (!m.Success || !m.Groups["kind"].Success) return Unknown;
        var n = m.Groups["n"].Success ? int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) : 0;
        var d = m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
        var kind = m.Groups["kind"].Value.ToUpperInvariant() switch
        {
            "CHAR" => DataKind.Char,
            "NUM" => DataKind.Number,
            "INT" => DataKind.Integer,
            "DATE" => DataKind.Date,
            "DATETIME" => DataKind.DateTime,
            "BOOLEAN" => DataKind.Boolean,
            _ => DataKind.Unknown,
        };
        // The flow tables write "NUM(9)" or "DATE(0)" with a zero length for "no length": such a format
        // is only as good as its kind.
        if (kind is DataKind.Char or DataKind.Number or DataKind.Integer && n == 0) return Unknown;
        return new DataFormat(kind, n, d, m.Groups["sign"].Success, text.Trim());
    }

    /// <summary>True when this format says nothing beyond "text".</summary>
    public bool IsUnknown => Kind == DataKind.Unknown;

    /// <summary>What a value must look like, for messages.</summary>
    public string Expectation => Kind switch
    {
        DataKind.Char => $"CHAR({Length}): at most {Length} character{(Length == 1 ? "" : "s")}",
        DataKind.Number when Decimals > 0 => $"{(Signed ? "±" : "")}NUM({Length},{Decimals}): {(Signed ? "an optional sign, " : "")}up to {Length} digits, a point and up to {Decimals} decimal{(Decimals == 1 ? "" : "s")}",
        DataKind.Number => $"{(Signed ? "±" : "")}NUM({Length}): {(Signed ? "an optional sign and " : "")}up to {Length} digits",
        DataKind.Integer => $"INT({Length}): up to {Length} digits",
        DataKind.Date => "DATE ccyymmdd",
        DataKind.DateTime => "DATETIME ccyymmddhhmmss",
        DataKind.Boolean => "BOOLEAN T or F",
        _ => "printable characters",
    };

    /// <summary>Whether a non-empty <paramref name="value"/> fits the format.</summary>
    public bool Accepts(ReadOnlySpan<char> value)
    {
        if (value.ContainsAnyExceptInRange(' ', '~')) return false; // printable ASCII only
        switch (Kind)
        {
            case DataKind.Char: return value.Length <= Length;
            case DataKind.Integer: return value.Length <= Length && AllDigits(value);
            case DataKind.Boolean: return value is "T" or "F";
            case DataKind.Date: return value.Length == 8 && IsDate(value);
            case DataKind.DateTime: return value.Length == 14 && IsDate(value[..8]) && IsTime(value[8..]);
            case DataKind.Number: return IsNumber(value);
            default: return true;
        }
    }

    private bool IsNumber(ReadOnlySpan<char> value)
    {
        if (Signed && value.Length > 0 && value[0] is '-' or '+') value = value[1..];
        var point = value.IndexOf('.');
        var whole = point < 0 ? value : value[..point];
        var fraction = point < 0 ? [] : value[(point + 1)..];
        if (whole.Length == 0 || whole.Length > Length || !AllDigits(whole)) return false;
        if (point < 0) return true;
        return Decimals > 0 && fraction.Length > 0 && fraction.Length <= Decimals && AllDigits(fraction);
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (c is < '0' or > '9') return false;
        return true;
    }

    // Callers have checked the characters are digits; plain arithmetic is several times faster than int.Parse here.
    private static int Digits(ReadOnlySpan<char> s)
    {
        var value = 0;
        foreach (var c in s) value = value * 10 + (c - '0');
        return value;
    }

    // The DTC's Date domain: a valid calendar date in 1950–2199.
    private static bool IsDate(ReadOnlySpan<char> s)
    {
        if (!AllDigits(s)) return false;
        int y = Digits(s[..4]), mo = Digits(s[4..6]), d = Digits(s[6..8]);
        return y is >= 1950 and <= 2199 && mo is >= 1 and <= 12 && d >= 1 && d <= System.DateTime.DaysInMonth(y, mo);
    }

    private static bool IsTime(ReadOnlySpan<char> s) =>
        AllDigits(s) && Digits(s[..2]) <= 23 && Digits(s[2..4]) <= 59 && Digits(s[4..6]) <= 59;
}

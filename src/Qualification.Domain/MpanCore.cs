namespace Qualification.Domain;

/// <summary>
/// The 13-digit core of a Meter Point Administration Number: a 2-digit distributor id, a 10-digit
/// unique id and a check digit. Only a core whose check digit is right can be constructed.
/// </summary>
public readonly record struct MpanCore
{
    // Weights for digits 1..12: the primes from 3 to 43, skipping 11.
    private static readonly int[] Weights = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43];

    private MpanCore(string value) => Value = value;

    /// <summary>The 13 digits.</summary>
    public string Value { get; }

    /// <summary>The distributor id, the first two digits (e.g. "23" for Northern Powergrid Yorkshire).</summary>
    public string DistributorId => Value[..2];

    /// <summary>The check digit for the first 12 digits of an MPAN core.</summary>
    public static int CheckDigit(ReadOnlySpan<char> first12)
    {
        if (first12.Length != 12) throw new ArgumentException("An MPAN core's check digit is computed over exactly 12 digits.", nameof(first12));
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            var d = first12[i] - '0';
            if (d is < 0 or > 9) throw new ArgumentException($"'{first12[i]}' at position {i + 1} is not a digit.", nameof(first12));
            sum += d * Weights[i];
        }
        return sum % 11 % 10;
    }

    /// <summary>Why <paramref name="text"/> is not a valid MPAN core, or null when it is.</summary>
    public static string? Problem(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "MPAN core is empty";
        if (text.Length != 13) return $"MPAN core '{text}' has {text.Length} characters; it needs 13 digits";
        foreach (var c in text)
            if (c is < '0' or > '9') return $"MPAN core '{text}' contains '{c}'; it must be digits only";
        var expected = CheckDigit(text.AsSpan(0, 12));
        return text[12] - '0' == expected ? null : $"MPAN core '{text}' has check digit {text[12]}; the digits before it give {expected}";
    }

    /// <summary>Parses a core, or explains what is wrong with it.</summary>
    public static bool TryParse(string? text, out MpanCore mpan)
    {
        mpan = default;
        if (Problem(text) is not null) return false;
        mpan = new MpanCore(text!);
        return true;
    }

    /// <summary>Parses a core; throws <see cref="FormatException"/> naming the problem.</summary>
    public static MpanCore Parse(string text) =>
        Problem(text) is { } problem ? throw new FormatException(problem) : new MpanCore(text);

    /// <summary>Builds a valid core from its first 12 digits.</summary>
    public static MpanCore FromFirst12(string first12) => new(first12 + CheckDigit(first12));

    /// <inheritdoc />
    public override string ToString() => Value;
}

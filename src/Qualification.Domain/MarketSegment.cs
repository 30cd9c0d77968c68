namespace Qualification.Domain;

/// <summary>The market segment of a metering point (DI-050 Market Segment Indicator).</summary>
public enum MarketSegment
{
    /// <summary>S: Smart (and traditional meters settled as smart).</summary>
    Smart,
    /// <summary>A: Advanced (half-hourly metered, current-transformer sites).</summary>
    Advanced,
    /// <summary>U: Unmetered supplies.</summary>
    Unmetered,
}

/// <summary>Codes of <see cref="MarketSegment"/> as they appear in DIP messages.</summary>
public static class MarketSegments
{
    /// <summary>The one-letter code carried in B026.marketSegmentIndicator.</summary>
    public static string Code(this MarketSegment segment) => segment switch
    {
        MarketSegment.Smart => "S",
        MarketSegment.Advanced => "A",
        MarketSegment.Unmetered => "U",
        _ => throw new ArgumentOutOfRangeException(nameof(segment)),
    };

    /// <summary>Reads a segment from its code or its name ("S", "smart").</summary>
    public static MarketSegment Parse(string text) => text.Trim().ToUpperInvariant() switch
    {
        "S" or "SMART" => MarketSegment.Smart,
        "A" or "ADVANCED" => MarketSegment.Advanced,
        "U" or "UNMETERED" => MarketSegment.Unmetered,
        _ => throw new FormatException($"'{text}' is not a market segment; use S (smart), A (advanced) or U (unmetered)."),
    };
}

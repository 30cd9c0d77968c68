namespace Qualification.Dtn.IO;

/// <summary>How a line of a flow file ended.</summary>
public enum LineEnding
{
    /// <summary>The last line, with no terminator.</summary>
    None,
    /// <summary>\n</summary>
    Lf,
    /// <summary>\r\n</summary>
    CrLf,
}

/// <summary>
/// One line of a DTN flow file: a group id (ZHV, ZPT or a flow group such as 026) followed by its
/// fields, each closed by <c>|</c>. Fields are kept as offsets into the line, so reading a large file
/// allocates one string per line; <see cref="Field"/> reads a field without allocating.
/// </summary>
public sealed class DtnRecord
{
    private readonly int[] _bounds; // start, length per token; token 0 is the group id

    private DtnRecord(long lineNumber, string line, int[] bounds, int tokens, bool trailingPipe, LineEnding ending)
    {
        LineNumber = lineNumber;
        Line = line;
        _bounds = bounds;
        FieldCount = tokens - 1;
        HasTrailingPipe = trailingPipe;
        Ending = ending;
        GroupId = line.Substring(bounds[0], bounds[1]);
    }

    /// <summary>1-based line number in the file (0 for a record built in memory).</summary>
    public long LineNumber { get; }
    /// <summary>The line as read, without its terminator.</summary>
    public string Line { get; }
    /// <summary>The first token: ZHV, ZPT or a group id.</summary>
    public string GroupId { get; }
    /// <summary>Number of fields after the group id.</summary>
    public int FieldCount { get; }
    /// <summary>Whether the line ends with the closing <c>|</c> every DTN line must have.</summary>
    public bool HasTrailingPipe { get; }
    /// <summary>The line terminator that followed it.</summary>
    public LineEnding Ending { get; }

    /// <summary>Field <paramref name="index"/> (0-based, after the group id); empty when absent.</summary>
    public ReadOnlySpan<char> Field(int index) =>
        (uint)index < (uint)FieldCount ? Line.AsSpan(_bounds[2 * (index + 1)], _bounds[2 * (index + 1) + 1]) : [];

    /// <summary>Field <paramref name="index"/> as a string; null when empty or absent.</summary>
    public string? Text(int index)
    {
        var f = Field(index);
        return f.IsEmpty ? null : f.ToString();
    }

    /// <summary>All fields as strings (empty string for an empty field).</summary>
    public IReadOnlyList<string> Fields()
    {
        var result = new string[FieldCount];
        for (var i = 0; i < FieldCount; i++) result[i] = Field(i).ToString();
        return result;
    }

    /// <summary>Splits a line (without its terminator) into a record.</summary>
    public static DtnRecord Parse(string line, long lineNumber = 0, LineEnding ending = LineEnding.Lf)
    {
        var trailing = line.Length > 0 && line[^1] == '|';
        var content = trailing ? line.AsSpan(0, line.Length - 1) : line.AsSpan();
        var tokens = content.Count('|') + 1;
        var bounds = new int[tokens * 2];
        var start = 0;
        for (var t = 0; t < tokens; t++)
        {
            var rest = content[start..];
            var end = rest.IndexOf('|');
            var length = end < 0 ? rest.Length : end;
            bounds[2 * t] = start;
            bounds[2 * t + 1] = length;
            start += length + 1;
        }
        return new DtnRecord(lineNumber, line, bounds, tokens, trailing, ending);
    }

    /// <summary>Builds a record from a group id and fields (null or empty for an empty field), with the closing pipe.</summary>
    public static DtnRecord Create(string groupId, IEnumerable<string?> fields, LineEnding ending = LineEnding.Lf)
    {
        var line = groupId + "|" + string.Concat(fields.Select(f => (f ?? "") + "|"));
        return Parse(line, 0, ending);
    }

    /// <inheritdoc />
    public override string ToString() => Line;
}

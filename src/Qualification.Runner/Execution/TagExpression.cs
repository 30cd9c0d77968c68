namespace Qualification.Runner.Execution;

/// <summary>
/// Cucumber tag expressions: <c>@smoke and not (@wip or @slow)</c>. Tags compare without case.
/// </summary>
public sealed class TagExpression
{
    private readonly Func<IReadOnlySet<string>, bool> _match;

    private TagExpression(Func<IReadOnlySet<string>, bool> match, string text) { _match = match; Text = text; }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>True when a scenario with <paramref name="tags"/> (with or without '@') is selected.</summary>
    public bool Matches(IEnumerable<string> tags) =>
        _match(tags.Select(t => t.TrimStart('@').ToLowerInvariant()).ToHashSet());

    /// <summary>Parses an expression; a bad one throws <see cref="FormatException"/> saying where.</summary>
    public static TagExpression Parse(string text)
    {
        var tokens = Tokenize(text);
        var pos = 0;
        Func<IReadOnlySet<string>, bool> Or()
        {
            var left = And();
            while (pos < tokens.Count && tokens[pos] == "or") { pos++; var l = left; var r = And(); left = s => l(s) || r(s); }
            return left;
        }
        Func<IReadOnlySet<string>, bool> And()
        {
            var left = Not();
            while (pos < tokens.Count && tokens[pos] == "and") { pos++; var l = left; var r = Not(); left = s => l(s) && r(s); }
            return left;
        }
        Func<IReadOnlySet<string>, bool> Not()
        {
            if (pos < tokens.Count && tokens[pos] == "not") { pos++; var inner = Not(); return s => !inner(s); }
            return Primary();
        }
        Func<IReadOnlySet<string>, bool> Primary()
        {
            if (pos >= tokens.Count) throw new FormatException($"Tag expression '{text}' ends early; expected a tag such as @smoke.");
            var t = tokens[pos++];
            if (t == "(")
            {
                var inner = Or();
                if (pos >= tokens.Count || tokens[pos++] != ")") throw new FormatException($"Tag expression '{text}' has an unclosed '('.");
                return inner;
            }
            if (!t.StartsWith('@')) throw new FormatException($"Tag expression '{text}': '{t}' is not a tag; tags start with '@'.");
            var tag = t[1..].ToLowerInvariant();
            return s => s.Contains(tag);
        }
        var result = Or();
        if (pos != tokens.Count) throw new FormatException($"Tag expression '{text}': unexpected '{tokens[pos]}'.");
        return new TagExpression(result, text);
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')') { tokens.Add(c.ToString()); i++; continue; }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')')) i++;
            var word = text[start..i];
            tokens.Add(word.ToLowerInvariant() is "and" or "or" or "not" ? word.ToLowerInvariant() : word);
        }
        return tokens;
    }
}

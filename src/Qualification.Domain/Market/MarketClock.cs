using System.Diagnostics;
using NodaTime;

namespace Qualification.Domain.Market;

/// <summary>
/// The market's clock during a run. Market time runs <see cref="Scale"/> times faster than real
/// time (so a 60-minute SLA is observable in seconds), and it can jump forward ("7 days pass")
/// for day-scale deadlines. Central events scheduled on it fire when it reaches their time.
/// </summary>
public sealed class MarketClock : IClock
{
    private readonly object _gate = new();
    private readonly Func<TimeSpan> _realElapsed;
    private readonly List<ScheduledEvent> _scheduled = [];
    private Instant _origin;
    private TimeSpan _realAtOrigin;
    private long _sequence;

    /// <summary>Creates a clock that starts at <paramref name="origin"/> and runs <paramref name="scale"/> times real time.</summary>
    public MarketClock(Instant origin, double scale = 1, Func<TimeSpan>? realElapsed = null)
    {
        if (scale <= 0 || double.IsNaN(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The time scale must be a positive number of market seconds per real second.");
        Scale = scale;
        var sw = Stopwatch.StartNew();
        _realElapsed = realElapsed ?? (() => sw.Elapsed);
        _origin = origin;
        _realAtOrigin = _realElapsed();
    }

    /// <summary>Market seconds per real second.</summary>
    public double Scale { get; }

    /// <summary>Raised after scheduled events fire, with the events that fired.</summary>
    public event Action<IReadOnlyList<string>>? Fired;

    /// <summary>The current market instant.</summary>
    public Instant GetCurrentInstant()
    {
        lock (_gate) return NowUnlocked();
    }

    private Instant NowUnlocked() => _origin + Duration.FromTimeSpan((_realElapsed() - _realAtOrigin) * Scale);

    /// <summary>Sets market time (a new scenario starts its market day here). Pending events are dropped.</summary>
    public void Reset(Instant now)
    {
        lock (_gate)
        {
            _origin = now;
            _realAtOrigin = _realElapsed();
            _scheduled.Clear();
        }
    }

    /// <summary>Time travel: market time jumps forward by <paramref name="by"/>; due events fire in time order.</summary>
    public void Advance(Duration by)
    {
        if (by < Duration.Zero) throw new ArgumentOutOfRangeException(nameof(by), "Market time only moves forward.");
        Instant target;
        lock (_gate) target = NowUnlocked() + by;
        AdvanceTo(target);
    }

    /// <summary>Time travel to <paramref name="target"/> (no-op when it is already past), firing due events one by one at their own time.</summary>
    public void AdvanceTo(Instant target)
    {
        var fired = new List<string>();
        while (true)
        {
            ScheduledEvent? next;
            lock (_gate)
            {
                next = _scheduled.Where(e => e.Due <= target).OrderBy(e => e.Due).ThenBy(e => e.Sequence).FirstOrDefault();
                if (next is null)
                {
                    if (target > NowUnlocked()) { _origin = target; _realAtOrigin = _realElapsed(); }
                    break;
                }
                _scheduled.Remove(next);
                if (next.Due > NowUnlocked()) { _origin = next.Due; _realAtOrigin = _realElapsed(); }
            }
            // Fire outside the lock: actions read the clock and may schedule more events.
            next.Action();
            fired.Add(next.Name);
        }
        if (fired.Count > 0) Fired?.Invoke(fired);
    }

    /// <summary>Fires events whose time has come in (scaled) real time.</summary>
    public void FireDue() => AdvanceTo(GetCurrentInstant());

    /// <summary>Schedules a central event (gate closure, activation, reminder) at a market instant.</summary>
    public void Schedule(Instant due, string name, Action action)
    {
        lock (_gate) _scheduled.Add(new ScheduledEvent(due, name, action, ++_sequence));
    }

    /// <summary>Names and times of pending events, for diagnostics.</summary>
    public IReadOnlyList<(Instant Due, string Name)> Pending()
    {
        lock (_gate) return _scheduled.OrderBy(e => e.Due).Select(e => (e.Due, e.Name)).ToList();
    }

    /// <summary>How much real time passes while <paramref name="market"/> market time passes.</summary>
    public TimeSpan RealTimeFor(Duration market) => TimeSpan.FromTicks((long)(market.BclCompatibleTicks / Scale));

    private sealed record ScheduledEvent(Instant Due, string Name, Action Action, long Sequence);
}

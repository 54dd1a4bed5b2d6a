using System.Diagnostics;
using System.Globalization;

namespace Actors.Bench;

/// <summary>CPU time consumed up to one instant: the whole machine, the PostgreSQL server, this process, pgbench and the silo.</summary>
internal readonly record struct CpuSnapshot(
    long Timestamp,
    long MachineTotalTicks,
    long MachineIdleTicks,
    long MachineIoWaitTicks,
    long PostgresTicks,
    TimeSpan BenchCpu,
    long PgbenchTicks,
    long SiloTicks);

/// <summary>Cores busy on average between two snapshots (a core fully busy for the whole window counts 1).</summary>
internal sealed record CpuUsage(double Machine, double IoWait, double Postgres, double Bench, double Pgbench, double Silo, double Other, double Seconds);

/// <summary>
/// Reads /proc so a figure can be explained by what was busy: if the machine's cores were saturated the figure is
/// CPU-bound, and the split says by whom (the PostgreSQL server, this process, pgbench, or other users of this
/// shared machine); if they were not, the figure is bound by waiting (WAL flushes, round trips, queues).
/// </summary>
internal sealed class CpuSampler(int postmasterPid)
{
    private static readonly double s_ticksPerSecond = ReadTicksPerSecond();

    /// <summary>The silo processes whose CPU is counted on its own, together (none: empty).</summary>
    public IReadOnlyList<int> SiloPids { get; set; } = [];

    public static CpuSnapshot Take(CpuSampler? sampler, int pgbenchPid = 0)
    {
        var (total, idle, ioWait) = ReadMachine();
        using var self = Process.GetCurrentProcess();
        return new CpuSnapshot(
            Stopwatch.GetTimestamp(),
            total,
            idle,
            ioWait,
            sampler?.ReadProcessTree() ?? 0,
            self.TotalProcessorTime,
            pgbenchPid > 0 ? ReadProcessTicks(pgbenchPid) ?? 0 : 0,
            sampler?.SiloPids.Sum(pid => ReadProcessTicks(pid) ?? 0) ?? 0);
    }

    public static CpuUsage Between(CpuSnapshot start, CpuSnapshot end)
    {
        var seconds = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        double Cores(long ticks) => ticks / s_ticksPerSecond / seconds;
        var totalTicks = end.MachineTotalTicks - start.MachineTotalTicks;
        var idleTicks = end.MachineIdleTicks - start.MachineIdleTicks;
        var ioWaitTicks = end.MachineIoWaitTicks - start.MachineIoWaitTicks;
        var machine = Cores(totalTicks - idleTicks - ioWaitTicks);
        var postgres = Cores(end.PostgresTicks - start.PostgresTicks);
        var bench = (end.BenchCpu - start.BenchCpu).TotalSeconds / seconds;
        var pgbench = Cores(end.PgbenchTicks - start.PgbenchTicks);
        var silo = Cores(end.SiloTicks - start.SiloTicks);
        return new CpuUsage(machine, Cores(ioWaitTicks), postgres, bench, pgbench, silo, Math.Max(0, machine - postgres - bench - pgbench - silo), seconds);
    }

    /// <summary>The postmaster and its children (backends, WAL writer, checkpointer, autovacuum).</summary>
    private long ReadProcessTree()
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ReadStat($"/proc/{pid}") is { } stat && (pid == postmasterPid || stat.ParentPid == postmasterPid))
            {
                // The postmaster's own count includes its reaped children (cutime, cstime): a backend or autovacuum
                // worker that exits inside the window moves its time there instead of losing it.
                ticks += pid == postmasterPid ? stat.Ticks + stat.ChildTicks : stat.Ticks;
            }
        }

        return ticks;
    }

    private static long? ReadProcessTicks(int pid) => ReadStat($"/proc/{pid}")?.Ticks;

    /// <summary>
    /// The CPU ticks of each live thread of <paramref name="pid"/> named <paramref name="threadName"/> (as /proc shows
    /// it: the first 15 characters), by thread id, e.g. ".NET Tiered Com", the thread that compiles hot methods again.
    /// </summary>
    public static Dictionary<string, long> ThreadTicks(int pid, string threadName)
    {
        var ticks = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (IOException)
            {
                continue; // The thread ended between listing and reading.
            }

            if (name == threadName && ReadStat(task) is { } stat)
            {
                ticks[Path.GetFileName(task)] = stat.Ticks;
            }
        }

        return ticks;
    }

    /// <summary>
    /// CPU seconds such threads used between two <see cref="ThreadTicks"/> readings: a thread that started meanwhile
    /// counts in full (the runtime ends an idle tiered-compilation thread and starts a new one when work comes).
    /// </summary>
    public static double ThreadSecondsBetween(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Sum(thread => thread.Value - before.GetValueOrDefault(thread.Key)) / s_ticksPerSecond;

    private static (int ParentPid, long Ticks, long ChildTicks)? ReadStat(string directory)
    {
        string text;
        try
        {
            text = File.ReadAllText($"{directory}/stat");
        }
        catch (IOException)
        {
            return null; // The process ended between listing and reading.
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses: fields are counted from after its closing one.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
        var userTicks = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var systemTicks = long.Parse(fields[12], CultureInfo.InvariantCulture);
        var childTicks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return (parent, userTicks + systemTicks, childTicks);
    }

    private static (long Total, long Idle, long IoWait) ReadMachine()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        // user nice system idle iowait irq softirq steal; guest time is already inside user.
        return (values.Sum(), values[3], values[4]);
    }

    private static double ReadTicksPerSecond()
    {
        try
        {
            var result = ProcessRunner.RunAsync(["getconf", "CLK_TCK"], TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult();
            if (result.ExitCode == 0 && double.TryParse(result.Output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
            {
                return ticks;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getconf: fall back to Linux's USER_HZ on every mainstream architecture.
        }

        return 100;
    }
}

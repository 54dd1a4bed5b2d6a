using System.Globalization;

namespace Actors.Bench;

/// <summary>What one benchmark run does; parsed from the command line.</summary>
internal sealed class BenchOptions
{
    /// <summary>Rounds; each round measures every figure once, side by side, and figures are medians over rounds.</summary>
    public int Rounds { get; private set; } = 5;

    /// <summary>Measured seconds of each phase of a round (whole seconds: pgbench -T takes no fraction).</summary>
    public int PhaseSeconds { get; private set; } = 10;

    /// <summary>Unmeasured seconds at the start of each grain phase, so callers are in steady state when counting starts.</summary>
    public double RampSeconds { get; private set; } = 1;

    /// <summary>
    /// pgbench clients of the baseline, and the HTTP clients of the move-ins compared with it (their reads and the
    /// cluster's move-ins too). 128, as many as the other figures' callers: the engine is built for many CSRs and portal
    /// users at once, and group commit shares a transaction among concurrent writers, where pgbench runs one per client.
    /// </summary>
    public int Clients { get; private set; } = 128;

    /// <summary>
    /// pgbench clients of the reference rate, the baseline's count until the ninth session (pgbench's rate on two cores
    /// falls as clients are added beyond 4 to 8, and at 128 it is about two thirds of that at 16), and the callers of
    /// the first grain-write figure compared with it.
    /// </summary>
    public int ReferenceClients { get; private set; } = 16;

    /// <summary>pgbench worker threads (-j).</summary>
    public int PgbenchThreads { get; private set; } = 2;

    /// <summary>pgbench scale factor of the baseline database (-s).</summary>
    public int PgbenchScale { get; private set; } = 10;

    /// <summary>
    /// Callers of the second grain-write figure: group commit puts concurrent writes into one transaction, so
    /// more callers than pgbench clients is where it shows.
    /// </summary>
    public int ManyWriteCallers { get; private set; } = 128;

    /// <summary>Persisted grains the writers spread over.</summary>
    public int WriteGrains { get; private set; } = 10_000;

    /// <summary>Concurrent callers of the in-process call figure.</summary>
    public int CallCallers { get; private set; } = 128;

    /// <summary>Stateless grains the in-process callers spread over.</summary>
    public int CallGrains { get; private set; } = 1_000;

    /// <summary>Move-ins per round at one start date: twice as many SAs become due at once in the activation burst.</summary>
    public int MoveIns { get; private set; } = 5_000;

    /// <summary>How long the fresh silos' idle commits are counted (subtracted from the move-ins' commits outside their phase).</summary>
    public TimeSpan IdleWindow => TimeSpan.FromSeconds(Quick ? 5 : 10);

    /// <summary>Silo processes of the cluster figure (move-ins spread over them).</summary>
    public int ClusterSilos { get; private set; } = 3;

    /// <summary>Move-ins per round on the cluster.</summary>
    public int ClusterMoveIns { get; private set; } = 2_500;

    /// <summary>Seconds of the steady activation figure per round.</summary>
    public int SteadySeconds { get; private set; } = 10;

    /// <summary>SAs made due per second in the steady activation figure.</summary>
    public int SteadyRate { get; private set; } = 100;

    /// <summary>Clock steps per second of the steady figure (each makes SteadyRate / steps SAs due).</summary>
    public int SteadySteps { get; private set; } = 10;

    /// <summary>Hub connections of the alert figure.</summary>
    public int AlertClients { get; private set; } = 500;

    /// <summary>Accounts the hub connections watch (clients / accounts watchers each).</summary>
    public int AlertAccounts { get; private set; } = 50;

    /// <summary>Alert changes per second over all accounts.</summary>
    public int AlertRate { get; private set; } = 100;

    /// <summary>Active person grains of the memory figure.</summary>
    public int MemoryGrains { get; private set; } = 100_000;

    /// <summary>Silo restarts of the memory figure (each measures once).</summary>
    public int MemoryRounds { get; private set; } = 3;

    /// <summary>Concurrent requests when creating set-up data (premises, persons) and reading the memory figure's persons.</summary>
    public int SetupConcurrency { get; private set; } = 32;

    /// <summary>Phases left out (pgbench is always run: it is the baseline of every ratio).</summary>
    public IReadOnlySet<string> Skip { get; private set; } = new HashSet<string>(StringComparer.Ordinal);

    public bool Quick { get; private set; }

    /// <summary>Also profile the silo's phases: pg_stat_statements and a dotnet-trace sample, written to bench/out/profile-*.</summary>
    public bool Profile { get; private set; }

    /// <summary>Only the in-process call figure: no PostgreSQL, for work on the runtime's call path.</summary>
    public bool CallsOnly { get; private set; }

    /// <summary>With --calls-only: also print which types the call path allocates (sampled by the GC).</summary>
    public bool AllocationProfile { get; private set; }

    public string OutputPath { get; private set; } = Path.Combine("bench", "out", "results.json");

    public static string Usage => """
        Usage: bench/run.sh [--quick] [options]
          --quick                  3 rounds of 3 s phases, 1,500 move-ins a round (3,000 SAs in the burst) and 400
                                   on the cluster, the memory figure once with 20,000 grains: under five minutes
          --rounds N               rounds (default 5); every figure is the median over rounds
          --seconds S              measured seconds per phase (default 10)
          --clients N              pgbench clients = HTTP clients of the move-ins compared with them (default 128)
          --reference-clients N    pgbench clients of the reference rate = grain writers compared with it (default 16)
          --pgbench-threads N      pgbench -j (default 2)
          --scale N                pgbench -s of the baseline database (default 10)
          --many-write-callers N   callers of the second grain-write figure (default 128)
          --write-grains N         persisted grains (default 10000)
          --call-callers N         callers of the in-process call figure (default 128)
          --call-grains N          stateless grains (default 1000)
          --move-ins N             move-ins per round at one start date (default 5000: 10000 SAs due at once)
          --cluster-silos N        silo processes of the cluster move-in figure (default 3)
          --cluster-move-ins N     move-ins per round on the cluster (default 2500)
          --steady-seconds S       seconds of the steady activation figure (default 10)
          --steady-rate N          SAs made due per second in it (default 100)
          --alert-clients N        hub connections of the alert figure (default 500)
          --alert-accounts N       accounts they watch (default 50)
          --alert-rate N           alert changes per second (default 100)
          --memory-grains N        active grains of the memory figure (default 100000)
          --memory-rounds N        silo starts of the memory figure (default 3)
          --skip LIST              leave out phases: writes,calls,moveins,cluster,activations,alerts,memory
          --profile                also profile the silo's phases (pg_stat_statements; Linux perf if installed)
                                   into bench/out/profile-*.txt
          --calls-only             only the in-process call figure (no PostgreSQL needed)
          --alloc-profile          with --calls-only: print the types the call path allocates
          --out PATH               results file (default bench/out/results.json)
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--quick":
                    options.Quick = true;
                    options.Rounds = 3;
                    options.PhaseSeconds = 3;
                    options.RampSeconds = 0.5;
                    options.SteadySeconds = 3;
                    options.MoveIns = 1_500;
                    options.ClusterMoveIns = 400;
                    options.MemoryGrains = 20_000;
                    options.MemoryRounds = 1;
                    break;
                case "--profile":
                    options.Profile = true;
                    break;
                case "--move-ins":
                    options.MoveIns = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--cluster-silos":
                    options.ClusterSilos = PositiveInt(arg, Next(args, ref i));
                    if (options.ClusterSilos < 2)
                    {
                        throw new ArgumentException("--cluster-silos needs at least 2 silos (the one-silo figure is the move-ins phase).");
                    }

                    break;
                case "--cluster-move-ins":
                    options.ClusterMoveIns = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--steady-seconds":
                    options.SteadySeconds = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--steady-rate":
                    options.SteadyRate = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--alert-clients":
                    options.AlertClients = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--alert-accounts":
                    options.AlertAccounts = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--alert-rate":
                    options.AlertRate = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--memory-grains":
                    options.MemoryGrains = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--memory-rounds":
                    options.MemoryRounds = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--skip":
                    var skip = Next(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                    var unknown = skip.Except(SkippablePhases).ToList();
                    if (unknown.Count > 0)
                    {
                        throw new ArgumentException($"--skip knows {string.Join(", ", SkippablePhases)}, not {string.Join(", ", unknown)}.");
                    }

                    options.Skip = skip;
                    break;
                case "--rounds":
                    options.Rounds = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--seconds":
                    options.PhaseSeconds = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--clients":
                    options.Clients = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--reference-clients":
                    options.ReferenceClients = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--pgbench-threads":
                    options.PgbenchThreads = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--scale":
                    options.PgbenchScale = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--many-write-callers":
                    options.ManyWriteCallers = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--write-grains":
                    options.WriteGrains = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--call-callers":
                    options.CallCallers = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--call-grains":
                    options.CallGrains = PositiveInt(arg, Next(args, ref i));
                    break;
                case "--calls-only":
                    options.CallsOnly = true;
                    break;
                case "--alloc-profile":
                    options.AllocationProfile = true;
                    break;
                case "--out":
                    options.OutputPath = Next(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{arg}'.");
            }
        }

        if (options.SteadyRate % options.SteadySteps != 0 || options.SteadyRate / options.SteadySteps % 2 != 0)
        {
            throw new ArgumentException($"--steady-rate must be a multiple of {2 * options.SteadySteps}: each of the {options.SteadySteps} clock steps a second makes an even number of SAs due (two per move-in).");
        }

        if (options.PgbenchThreads > Math.Min(options.Clients, options.ReferenceClients))
        {
            throw new ArgumentException("--pgbench-threads cannot exceed --clients or --reference-clients (pgbench refuses it).");
        }

        return options;
    }

    public static IReadOnlyList<string> SkippablePhases { get; } = ["writes", "calls", "moveins", "cluster", "activations", "alerts", "memory"];

    public bool Runs(string phase) => !Skip.Contains(phase);

    private static string Next(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : throw new ArgumentException($"{name} needs a positive whole number, not '{value}'.");
}

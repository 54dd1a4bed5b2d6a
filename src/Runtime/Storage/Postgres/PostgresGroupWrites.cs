using Npgsql;

namespace Actors.Runtime.Storage.Postgres;

public sealed partial class PostgresStorageProvider
{
    /// <summary>
    /// The writes of one group commit attempt as at most four statements a round, whatever the number of units: the
    /// state updates, the first state writes, the reminder registrations and the reminder removals, each one statement
    /// over arrays of rows. Per-unit statements cost PostgreSQL 25–45 µs each, and a move-in made about forty. A round
    /// holds each grain once; a grain's second unit in the group (a reentrant grain's) goes to the next round, whose
    /// statements run after the first round's in the same transaction and so see its writes. Every state write's failure
    /// text is its position in <see cref="StateWrites"/>, which names its unit and state.
    /// </summary>
    private sealed class GroupWrites
    {
        private readonly List<Round> _rounds = [];

        /// <summary>Each state write of the attempt with its unit (the unit's index in the group), by failure text.</summary>
        public List<(int Unit, StateOperation Operation)> StateWrites { get; } = [];

        public void Add(int unit, GrainCommit commit)
        {
            var round = _rounds.Find(r => !r.Grains.Contains(commit.Grain));
            if (round is null)
            {
                round = new Round();
                _rounds.Add(round);
            }

            round.Grains.Add(commit.Grain);
            foreach (var operation in commit.States)
            {
                round.AddState(commit.Grain, operation, StateWrites.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                StateWrites.Add((unit, operation));
            }

            foreach (var reminder in commit.Reminders)
            {
                round.AddReminder(commit, reminder);
            }
        }

        /// <summary>Adds each round's statements that have rows, round after round.</summary>
        public void AddTo(NpgsqlBatch batch)
        {
            foreach (var round in _rounds)
            {
                round.AddTo(batch);
            }
        }

        /// <summary>The rows of one round: at most one unit of each grain.</summary>
        private sealed class Round
        {
            private readonly StateRows _updates = new(PostgresSql.UpdateStates);
            private readonly StateRows _inserts = new(PostgresSql.InsertStates);
            private readonly List<string> _upsertTypes = [];
            private readonly List<string> _upsertKeys = [];
            private readonly List<string> _upsertNames = [];
            private readonly List<int> _upsertPartitions = [];
            private readonly List<DateTimeOffset> _upsertDue = [];
            private readonly List<TimeSpan?> _upsertPeriods = [];
            private readonly List<short> _upsertPolicies = [];
            private readonly List<string> _deleteTypes = [];
            private readonly List<string> _deleteKeys = [];
            private readonly List<string> _deleteNames = [];

            public HashSet<GrainId> Grains { get; } = [];

            public void AddState(GrainId grain, StateOperation operation, string failure) =>
                (operation.ExpectedVersion is null ? _inserts : _updates).Add(grain, operation, failure);

            public void AddReminder(GrainCommit commit, ReminderOperation reminder)
            {
                if (reminder.Kind == ReminderOperationKind.Upsert)
                {
                    _upsertTypes.Add(commit.Grain.Type);
                    _upsertKeys.Add(commit.Grain.Key);
                    _upsertNames.Add(reminder.Name);
                    _upsertPartitions.Add(commit.Lease.Partition);
                    _upsertDue.Add(reminder.DueAt.ToUniversalTime());
                    _upsertPeriods.Add(reminder.Period);
                    _upsertPolicies.Add((short)reminder.Policy);
                }
                else
                {
                    _deleteTypes.Add(commit.Grain.Type);
                    _deleteKeys.Add(commit.Grain.Key);
                    _deleteNames.Add(reminder.Name);
                }
            }

            /// <summary>Adds the statements that have rows.</summary>
            public void AddTo(NpgsqlBatch batch)
            {
                _updates.AddTo(batch);
                _inserts.AddTo(batch);
                if (_upsertTypes.Count > 0)
                {
                    batch.BatchCommands.Add(BatchCommand(
                        PostgresSql.UpsertReminders,
                        Value(_upsertTypes.ToArray()),
                        Value(_upsertKeys.ToArray()),
                        Value(_upsertNames.ToArray()),
                        Value(_upsertPartitions.ToArray()),
                        Value(_upsertDue.ToArray()),
                        Value(_upsertPeriods.ToArray()),
                        Value(_upsertPolicies.ToArray())));
                }

                if (_deleteTypes.Count > 0)
                {
                    batch.BatchCommands.Add(BatchCommand(
                        PostgresSql.DeleteReminders, Value(_deleteTypes.ToArray()), Value(_deleteKeys.ToArray()), Value(_deleteNames.ToArray())));
                }
            }

            /// <summary>
            /// The rows of one state statement: the updates (with the versions they expect) or the first writes (none).
            /// </summary>
            private sealed class StateRows(string sql)
            {
                private readonly List<string> _types = [];
                private readonly List<string> _keys = [];
                private readonly List<string> _names = [];
                private readonly List<string?> _payloads = [];
                private readonly List<long> _expected = [];
                private readonly List<string> _failures = [];

                public void Add(GrainId grain, StateOperation operation, string failure)
                {
                    _types.Add(grain.Type);
                    _keys.Add(grain.Key);
                    _names.Add(operation.StateName);
                    _payloads.Add(operation.Payload);
                    if (operation.ExpectedVersion is { } expected)
                    {
                        _expected.Add(expected);
                    }

                    _failures.Add(failure);
                }

                /// <summary>Adds the statement when it has rows.</summary>
                public void AddTo(NpgsqlBatch batch)
                {
                    if (_types.Count == 0)
                    {
                        return;
                    }

                    NpgsqlParameter[] keys = [Value(_types.ToArray()), Value(_keys.ToArray()), Value(_names.ToArray()), Value(_payloads.ToArray())];
                    batch.BatchCommands.Add(_expected.Count > 0
                        ? BatchCommand(sql, [.. keys, Value(_expected.ToArray()), Value(_failures.ToArray())])
                        : BatchCommand(sql, [.. keys, Value(_failures.ToArray())]));
                }
            }
        }
    }
}

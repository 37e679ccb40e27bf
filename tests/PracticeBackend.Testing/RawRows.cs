using System.Text;
using Npgsql;

namespace PracticeBackend.Testing;

/// <summary>Reads tables as an attacker with a database dump would: every column, as text and as UTF-8 bytes.</summary>
public static class RawRows
{
    public static async Task<string> DumpAsync(string connectionString, params string[] tables)
    {
        var dump = new StringBuilder();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM \"{table}\"", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) + " " + Convert.ToBase64String(bytes) : value.ToString());
                    dump.Append('\t');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }

    /// <summary>Every table of a schema (e.g. Hangfire's), dumped as <see cref="DumpAsync"/> does.</summary>
    public static async Task<string> DumpSchemaAsync(string connectionString, string schema)
    {
        var tables = new List<string>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = @schema AND table_type = 'BASE TABLE'", connection);
            command.Parameters.AddWithValue("schema", schema);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        if (tables.Count == 0)
        {
            throw new InvalidOperationException($"Schema {schema} has no tables.");
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            dump.Append(await DumpAsync(connectionString, $"{schema}\".\"{table}"));
        }

        return dump.ToString();
    }

    /// <summary>One value from one query, with named parameters (a count, a status), on a connection of its own.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    public static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

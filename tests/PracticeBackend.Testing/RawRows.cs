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

    public static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

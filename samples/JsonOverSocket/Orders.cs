using System;

namespace JsonOverSocket;

/// <summary>
/// What order <c>id</c> contains, computed from the id alone, so the sender can fill an order in place and the
/// receiver can check every field of what it parsed without the two sharing anything but the id.
/// </summary>
public static class Orders
{
    private const int SkuCount = 10_000;

    // Made once, so that filling an order allocates nothing: the sample measures the serializer and the writer.
    private static readonly string[] s_skus = CreateSkus();

    private static readonly string[] s_customers = ["Ada Lovelace", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"];

    public static string Customer(long id) => s_customers[id % s_customers.Length];

    public static string Sku(long id, int line) => s_skus[((id * 31) + line) % SkuCount];

    public static int Quantity(long id, int line) => (int)((id + line) % 7) + 1;

    public static decimal UnitPrice(long id, int line) => ((id * 13) + line) % 5000 / 100m + 0.99m;

    /// <summary>Fills <paramref name="order"/> as order <paramref name="id"/> with <paramref name="lines"/> lines, reusing its line objects.</summary>
    public static void Fill(Order order, long id, int lines)
    {
        order.Id = id;
        order.Customer = Customer(id);
        while (order.Lines.Count < lines)
        {
            order.Lines.Add(new OrderLine());
        }

        decimal total = 0;
        for (int i = 0; i < lines; i++)
        {
            OrderLine line = order.Lines[i];
            line.Sku = Sku(id, i);
            line.Quantity = Quantity(id, i);
            line.UnitPrice = UnitPrice(id, i);
            total += line.Quantity * line.UnitPrice;
        }

        order.Total = total;
    }

    /// <summary>Why <paramref name="order"/> is not order <paramref name="id"/> with <paramref name="lines"/> lines, or null if it is.</summary>
    public static string? Check(Order? order, long id, int lines)
    {
        if (order is null)
        {
            return $"document {id} parsed as null";
        }

        if (order.Id != id || order.Customer != Customer(id) || order.Lines.Count != lines)
        {
            return $"document {id}: got id {order.Id}, customer '{order.Customer}', {order.Lines.Count} lines";
        }

        decimal total = 0;
        for (int i = 0; i < lines; i++)
        {
            OrderLine line = order.Lines[i];
            if (line.Sku != Sku(id, i) || line.Quantity != Quantity(id, i) || line.UnitPrice != UnitPrice(id, i))
            {
                return $"document {id}, line {i}: got {line.Sku} x{line.Quantity} at {line.UnitPrice}";
            }

            total += line.Quantity * line.UnitPrice;
        }

        return order.Total == total ? null : $"document {id}: total {order.Total}, lines add up to {total}";
    }

    private static string[] CreateSkus()
    {
        string[] skus = new string[SkuCount];
        for (int i = 0; i < skus.Length; i++)
        {
            skus[i] = FormattableString.Invariant($"SKU-{i:D5}");
        }

        return skus;
    }
}

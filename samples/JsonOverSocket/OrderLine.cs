namespace JsonOverSocket;

/// <summary>A line of an <see cref="Order"/>.</summary>
public sealed class OrderLine
{
    public string Sku { get; set; } = "";

    public int Quantity { get; set; }

    public decimal UnitPrice { get; set; }
}

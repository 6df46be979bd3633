using System.Collections.Generic;

namespace JsonOverSocket;

/// <summary>One document of the sample: an order with its lines. Made by <see cref="Orders"/>, checked by the receiver.</summary>
public sealed class Order
{
    public long Id { get; set; }

    public string Customer { get; set; } = "";

    public List<OrderLine> Lines { get; set; } = [];

    public decimal Total { get; set; }
}

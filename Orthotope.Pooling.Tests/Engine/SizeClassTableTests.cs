using System;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Tests.Engine;

[TestFixture]
public sealed class SizeClassTableTests
{
    private const int Largest = 1 << 20;

    [Test]
    public void Every_size_maps_to_the_smallest_class_that_holds_it()
    {
        var table = new SizeClassTable(Largest);
        for (int size = 0; size <= Largest; size++)
        {
            int index = SizeClassTable.GetIndex(size);
            int length = table.GetLength(index);
            if (length < size || (index > 0 && table.GetLength(index - 1) >= size))
            {
                Assert.Fail($"size {size} went to class {index} of length {length}");
            }
        }

        Assert.That(table.LargestLength, Is.EqualTo(Largest));
    }

    [Test]
    public void Classes_run_from_64_bytes_with_four_per_power_of_two()
    {
        var table = new SizeClassTable(Largest);
        Assert.That(table.GetLength(0), Is.EqualTo(64));
        Assert.That(new[] { table.GetLength(1), table.GetLength(2), table.GetLength(3), table.GetLength(4) },
            Is.EqualTo(new[] { 80, 96, 112, 128 }));
        Assert.That(table.Count, Is.EqualTo(1 + (14 * 4)), "64 B, then 14 doublings up to 1 MiB");
        Assert.That(table.GetLength(SizeClassTable.GetIndex(4096)), Is.EqualTo(4096));
    }

    [Test]
    public void Every_stride_is_a_multiple_of_64_that_holds_the_block()
    {
        var table = new SizeClassTable(Largest);
        for (int i = 0; i < table.Count; i++)
        {
            int stride = table.GetStride(i);
            Assert.That(stride % 64, Is.Zero);
            Assert.That(stride, Is.GreaterThanOrEqualTo(table.GetLength(i)).And.LessThan(table.GetLength(i) + 64));
        }
    }

    [Test]
    public void Worst_case_waste_is_under_25_percent_of_the_request()
    {
        var table = new SizeClassTable(Largest);
        double worst = 0;
        int worstSize = 0;
        for (int i = 1; i < table.Count; i++)
        {
            // The worst request of a class is one byte more than the class below it.
            int size = table.GetLength(i - 1) + 1;
            double waste = (table.GetLength(i) - size) / (double)size;
            if (waste > worst)
            {
                (worst, worstSize) = (waste, size);
            }
        }

        TestContext.Out.WriteLine($"worst-case waste {worst:P2} at {worstSize} bytes");
        Assert.That(worst, Is.LessThanOrEqualTo(0.25));
    }

    [Test]
    public void Mean_waste_over_a_log_uniform_mix_is_under_12_5_percent()
    {
        var table = new SizeClassTable(Largest);
        double lengthWaste = MeanWaste(table, useStride: false);
        double strideWaste = MeanWaste(table, useStride: true);
        TestContext.Out.WriteLine($"mean waste, log-uniform 64 B..1 MiB: {lengthWaste:P2} of the request by block length, " +
                                  $"{strideWaste:P2} by footprint (stride)");
        Assert.That(lengthWaste, Is.LessThanOrEqualTo(0.125));
        Assert.That(strideWaste, Is.LessThan(0.15), "alignment costs little over the whole range");
    }

    [Test]
    public void Exact_class_lengths_are_recognised_and_others_are_not()
    {
        var table = new SizeClassTable(Largest);
        Assert.That(table.IndexOfExactLength(4096), Is.EqualTo(SizeClassTable.GetIndex(4096)));
        Assert.That(table.IndexOfExactLength(64), Is.Zero);
        Assert.That(table.IndexOfExactLength(4095), Is.EqualTo(-1));
        Assert.That(table.IndexOfExactLength(0), Is.EqualTo(-1));
        Assert.That(table.IndexOfExactLength(Largest * 2), Is.EqualTo(-1));
    }

    [TestCase(4096, 4096)]
    [TestCase(5000, 5120)]
    [TestCase(1 << 20, 1 << 20)]
    [TestCase((1 << 20) + 1, 1310720)]
    public void The_largest_class_is_the_option_rounded_up_to_a_class(int option, int expected) =>
        Assert.That(new SizeClassTable(option).LargestLength, Is.EqualTo(expected));

    /// <summary>
    /// The mean of (footprint - request) / request over requests drawn log-uniformly from [64, 1 MiB], integrated
    /// exactly class by class: within a class of length L serving (a, b], E[L/x - 1] for density 1/(x ln(hi/lo)).
    /// </summary>
    private static double MeanWaste(SizeClassTable table, bool useStride)
    {
        double total = 0;
        double lo = 64, hi = Largest;
        for (int i = 1; i < table.Count; i++)
        {
            double a = table.GetLength(i - 1), b = table.GetLength(i);
            double footprint = useStride ? table.GetStride(i) : b;
            total += (footprint * ((1 / a) - (1 / b))) - Math.Log(b / a);
        }

        return total / Math.Log(hi / lo);
    }
}

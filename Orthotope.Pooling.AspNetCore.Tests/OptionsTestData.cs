using System;

namespace Orthotope.Pooling.AspNetCore.Tests;

/// <summary>Options with one value out of range, for the validation tests.</summary>
internal static class OptionsTestData
{
    public static OrthotopePoolOptions WithBadValue(string option)
    {
        var options = new OrthotopePoolOptions();
        ApplyBadValue(options, option);
        return options;
    }

    public static void ApplyBadValue(OrthotopePoolOptions options, string option)
    {
        switch (option)
        {
            case nameof(OrthotopePoolOptions.SlabSize):
                options.SlabSize = 1;
                break;
            case nameof(OrthotopePoolOptions.RefillBatchBytes):
                options.RefillBatchBytes = 0;
                break;
            case nameof(OrthotopePoolOptions.Name):
                options.Name = " ";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(option), option, "No bad value is defined for this option.");
        }
    }
}

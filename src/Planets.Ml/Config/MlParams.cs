namespace Planets.Ml.Config;

/// <summary>The <c>prepare</c> section of params.yaml.</summary>
/// <param name="Seed">Seed of the shuffle before the split.</param>
/// <param name="Split">Share of the images held out as the test set, in (0, 1).</param>
/// <param name="ImageHeight">Height the images are resized to.</param>
/// <param name="ImageWidth">Width the images are resized to.</param>
/// <param name="Grayscale">Whether images are reduced to one luma channel.</param>
internal sealed record PrepareParams(int Seed, double Split, int ImageHeight, int ImageWidth, bool Grayscale);

/// <summary>Which device training runs on.</summary>
internal enum DeviceChoice
{
    /// <summary>CUDA when available, else CPU.</summary>
    Auto,

    /// <summary>Always the CPU.</summary>
    Cpu,

    /// <summary>CUDA; fails when none is available.</summary>
    Cuda,
}

/// <summary>The <c>train</c> section of params.yaml.</summary>
/// <param name="Seed">Seed of weight initialisation and batch order.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="Epochs">Number of passes over the training set.</param>
/// <param name="BatchSize">Images per optimisation step.</param>
/// <param name="ConvSize">Number of 3x3 convolution filters.</param>
/// <param name="DenseSize">Width of the hidden dense layer.</param>
/// <param name="OutputClasses">Number of classes (must equal the class folders).</param>
/// <param name="Device">Where to train.</param>
/// <param name="Reproducible">
/// Whether training pins its numerics so the same data and parameters give the same weights on any x86-64 CPU
/// (portable kernels, one thread: slower); false takes the fastest kernels and every core of this machine.
/// </param>
internal sealed record TrainParams(
    int Seed,
    double LearningRate,
    int Epochs,
    int BatchSize,
    int ConvSize,
    int DenseSize,
    int OutputClasses,
    DeviceChoice Device,
    bool Reproducible);

/// <summary>All parameters of params.yaml, validated.</summary>
/// <param name="Source">The file they were read from, used to name it in error messages.</param>
/// <param name="Prepare">The prepare section.</param>
/// <param name="Train">The train section.</param>
internal sealed record MlParams(string Source, PrepareParams Prepare, TrainParams Train);

using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Planets.Models.Onnx;

/// <summary>
/// Just enough of the protobuf wire format to write an ONNX model: varints, length-delimited fields and nested
/// messages. Fields are written in the order they are added, so the same calls give the same bytes.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintType = 0;
    private const int LengthDelimitedType = 2;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>An integer field (int32, int64 or enum).</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, VarintType);
        Varint(_buffer, unchecked((ulong)value));
        return this;
    }

    /// <summary>A UTF-8 string field.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedType);
        Varint(_buffer, (ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A nested message field.</summary>
    public ProtoWriter Message(int field, ProtoWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.ToArray());
    }

    /// <summary>A packed repeated int64 field.</summary>
    public ProtoWriter PackedInts(int field, IEnumerable<long> values)
    {
        var packed = new ArrayBufferWriter<byte>();
        foreach (var value in values)
        {
            Varint(packed, unchecked((ulong)value));
        }

        return Bytes(field, packed.WrittenSpan);
    }

    /// <summary>Floats as little-endian IEEE 754 bytes (ONNX's <c>raw_data</c> layout).</summary>
    public static byte[] LittleEndian(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }

    /// <summary>The message written so far.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void Tag(int field, int wireType) => Varint(_buffer, (ulong)((field << 3) | wireType));

    private static void Varint(ArrayBufferWriter<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Write([(byte)(value | 0x80)]);
            value >>= 7;
        }

        output.Write([(byte)value]);
    }
}

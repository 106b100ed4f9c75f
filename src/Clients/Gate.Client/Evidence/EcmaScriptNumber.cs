using System.Globalization;

namespace Gate.Client.Evidence;

/// <summary>
/// Formats an IEEE 754 double exactly as ECMAScript <c>Number.prototype.toString</c> does, which is
/// what RFC 8785 prescribes for JSON numbers.
/// </summary>
/// <remarks>
/// .NET's round-trip format already yields the shortest digit string that reads back as the same
/// double (ECMA-262 §6.1.6.1.20 step 5 asks for the same digits); only the layout differs, so the
/// digits and the decimal exponent are taken from it and laid out by the ECMAScript rules.
/// </remarks>
internal static class EcmaScriptNumber
{
    /// <summary>Longest output: sign, 17 digits, point, <c>e-324</c>, or 21 integer digits.</summary>
    public const int MaxLength = 32;

    /// <summary>Writes <paramref name="value"/> as ASCII; the caller has rejected NaN and infinities.</summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (value == 0)
        {
            destination[0] = (byte)'0'; // +0 and -0 alike
            return 1;
        }

        Span<char> roundTrip = stackalloc char[40];
        value.TryFormat(roundTrip, out var length, "R", CultureInfo.InvariantCulture);

        // Split "-d.dddE+xx" into significant digits and the position n of the decimal point,
        // so that |value| = 0.d1d2...dk × 10^n.
        Span<byte> digits = stackalloc byte[24];
        var k = 0;
        var pointAt = -1;
        var exponent = 0;
        var negative = false;
        for (var i = 0; i < length; i++)
        {
            var c = roundTrip[i];
            if (c == '-')
            {
                negative = true;
            }
            else if (c == '.')
            {
                pointAt = k;
            }
            else if (c is 'E' or 'e')
            {
                exponent = int.Parse(roundTrip[(i + 1)..length], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else if (k == 0 && c == '0')
            {
                // A leading zero moves the point left instead of adding a digit.
                if (pointAt >= 0)
                {
                    exponent--;
                }
            }
            else
            {
                digits[k++] = (byte)c;
            }
        }

        if (pointAt < 0)
        {
            pointAt = k;
        }

        var n = pointAt + exponent;
        while (k > 1 && digits[k - 1] == '0')
        {
            k--;
        }

        return Layout(negative, digits[..k], n, destination);
    }

    private static int Layout(bool negative, ReadOnlySpan<byte> digits, int n, Span<byte> destination)
    {
        var k = digits.Length;
        var w = 0;
        if (negative)
        {
            destination[w++] = (byte)'-';
        }

        if (k <= n && n <= 21)
        {
            // Integer: the digits followed by n-k zeros.
            digits.CopyTo(destination[w..]);
            w += k;
            destination.Slice(w, n - k).Fill((byte)'0');
            return w + n - k;
        }

        if (0 < n && n <= 21)
        {
            // The point falls inside the digits.
            digits[..n].CopyTo(destination[w..]);
            w += n;
            destination[w++] = (byte)'.';
            digits[n..].CopyTo(destination[w..]);
            return w + k - n;
        }

        if (-6 < n && n <= 0)
        {
            // A small fraction: "0." then -n zeros then the digits.
            destination[w++] = (byte)'0';
            destination[w++] = (byte)'.';
            destination.Slice(w, -n).Fill((byte)'0');
            w += -n;
            digits.CopyTo(destination[w..]);
            return w + k;
        }

        // Exponent form: d[.ddd]e±x.
        destination[w++] = digits[0];
        if (k > 1)
        {
            destination[w++] = (byte)'.';
            digits[1..].CopyTo(destination[w..]);
            w += k - 1;
        }

        destination[w++] = (byte)'e';
        var e = n - 1;
        destination[w++] = e < 0 ? (byte)'-' : (byte)'+';
        Math.Abs(e).TryFormat(destination[w..], out var written, default, CultureInfo.InvariantCulture);
        return w + written;
    }
}

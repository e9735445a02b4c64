package io.basalt.resp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Doubles.format17g against C's printf("%.17g") (expected values produced by Python's '%.17g'). */
class DoublesTest {
    static Stream<Arguments> printf17g() {
        return Stream.of(
            Arguments.of(0.1d, "0.10000000000000001"),
            Arguments.of(1e+300d, "1.0000000000000001e+300"),
            Arguments.of(1.5d, "1.5"),
            Arguments.of(-0.0d, "-0"),
            Arguments.of(0.0d, "0"),
            Arguments.of(1.2345678901234568e+20d, "1.2345678901234568e+20"),
            Arguments.of(0.3333333333333333d, "0.33333333333333331"),
            Arguments.of(-2.5d, "-2.5"),
            Arguments.of(1e-05d, "1.0000000000000001e-05"),
            Arguments.of(0.0001d, "0.0001"),
            Arguments.of(0.0001234d, "0.00012339999999999999"),
            Arguments.of(1e+16d, "10000000000000000"),
            Arguments.of(1e+17d, "1e+17"),
            Arguments.of(1.2345678901234568e+16d, "12345678901234568"),
            Arguments.of(1000000000000000.0d, "1000000000000000"),
            Arguments.of(999999999999999.9d, "999999999999999.88"),
            Arguments.of(5e-324d, "4.9406564584124654e-324"),
            Arguments.of(1.7976931348623157e+308d, "1.7976931348623157e+308"),
            Arguments.of(9007199254740992.0d, "9007199254740992"),
            Arguments.of(3.14159d, "3.1415899999999999"),
            Arguments.of(100.0d, "100"),
            Arguments.of(-1e-300d, "-1e-300"),
            Arguments.of(1000000000000000.2d, "1000000000000000.2"),
            Arguments.of(0.5d, "0.5"),
            Arguments.of(7.0d, "7"),
            Arguments.of(1e+21d, "1e+21"),
            Arguments.of(123.456d, "123.456"),
            Arguments.of(-1000000000000000.0d, "-1000000000000000"),
            Arguments.of(0.00015000000000000001d, "0.00015000000000000001"),
            Arguments.of(2.5e-05d, "2.5000000000000001e-05"),
            Arguments.of(2.7216092808335446e+276d, "2.7216092808335446e+276"),
            Arguments.of(3.035766360112293e-65d, "3.0357663601122928e-65"),
            Arguments.of(6.665830898196862e-279d, "6.6658308981968623e-279"),
            Arguments.of(2.3558459513947972e+198d, "2.3558459513947972e+198"),
            Arguments.of(1.2418970069620836e-250d, "1.2418970069620836e-250"),
            Arguments.of(2.319469273766672e+51d, "2.3194692737666721e+51"),
            Arguments.of(7.873531487934826e+252d, "7.8735314879348264e+252"),
            Arguments.of(2.6878898238430084e-176d, "2.6878898238430084e-176"),
            Arguments.of(1.086847153644306e-255d, "1.0868471536443061e-255"),
            Arguments.of(7.572358053192185e-51d, "7.5723580531921849e-51"),
            Arguments.of(2.6713290337373985e-160d, "2.6713290337373985e-160"),
            Arguments.of(6.266356115726005e+31d, "6.2663561157260052e+31"),
            Arguments.of(3.13010388235547e-272d, "3.1301038823554698e-272"),
            Arguments.of(4.569785438180719e+40d, "4.5697854381807186e+40"),
            Arguments.of(1.5255942855744936e+276d, "1.5255942855744936e+276"),
            Arguments.of(-553522.0707859709d, "-553522.07078597089"),
            Arguments.of(254866.4448111786d, "254866.4448111786"),
            Arguments.of(895417.8849140112d, "895417.88491401123"),
            Arguments.of(154205.89723499725d, "154205.89723499725"),
            Arguments.of(-206639.0506984397d, "-206639.05069843971"),
            Arguments.of(952510.2111858402d, "952510.21118584019"),
            Arguments.of(-906834.6387644875d, "-906834.63876448746"),
            Arguments.of(716936.9180973591d, "716936.91809735913"),
            Arguments.of(-420781.4273366475d, "-420781.42733664752"),
            Arguments.of(-711489.833285125d, "-711489.83328512497"),
            Arguments.of(Double.POSITIVE_INFINITY, "inf"),
            Arguments.of(Double.NEGATIVE_INFINITY, "-inf"),
            Arguments.of(Double.NaN, "nan"));
    }

    @ParameterizedTest
    @MethodSource("printf17g")
    void formatsLikePrintf17g(double d, String expected) {
        assertEquals(expected, Doubles.format17g(d));
    }

    @Test
    void negativeNanKeepsItsSignLikeGlibc() {
        assertEquals("-nan", Doubles.format17g(Double.longBitsToDouble(0xfff8000000000000L)));
    }

    @Test
    void tiesRoundHalfEvenOnTheExactBinaryValue() {
        // 1000000000000000.25 is exact in binary: the 18th digit is a true tie, printf rounds to even
        assertEquals("1000000000000000.2", Doubles.format17g(1000000000000000.25));
        assertEquals("1000000000000000.8", Doubles.format17g(1000000000000000.75));
    }

    @Test
    void otherPrecisions() {
        assertEquals("0.1", Doubles.formatG(0.1, 15));
        assertEquals("1e+20", Doubles.formatG(1e20, 6));
        assertEquals("123457", Doubles.formatG(123456.7, 6));
    }
}

# The log format's suites (formats/): one program, test_format, of several
# files (test_format.c lists them). It links mp_formats; mp_unit_test also
# links mp_core, which it does not use.
mp_unit_test(test_format SOURCES
  test_format.c
  test_format_util.c
  test_format_varint.c
  test_format_encode.c
  test_format_roundtrip.c
  test_format_damage.c)
target_link_libraries(test_format PRIVATE mp_formats)

# cmake -DSAMPLES=<ews_request_samples> -DXMLLINT=<xmllint> -DSCHEMA=<soap-envelope.xsd> -DOUT=<dir> -P validate_requests.cmake
# Validates every request the builders produce, whole envelope, against the
# EWS schemas; then checks that an out-of-range value is rejected, so a
# validator that accepts everything cannot pass this test.
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${SAMPLES}" "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ews_request_samples failed: ${rc}")
endif()

file(GLOB documents "${OUT}/*.xml")
list(LENGTH documents count)
if(count LESS 10)
  message(FATAL_ERROR "expected a sample per builder, got ${count}")
endif()
# One xmllint run for all documents: compiling the 700 kB schema dominates.
execute_process(COMMAND "${XMLLINT}" --noout --nonet --schema "${SCHEMA}" ${documents}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "schema-invalid requests:\n${err}")
endif()
message(STATUS "${count} requests valid")

file(READ "${OUT}/get-streaming-events.xml" text)
string(REPLACE "<m:ConnectionTimeout>30<" "<m:ConnectionTimeout>31<" text "${text}")
file(WRITE "${OUT}/negative/connection-timeout-31.xml" "${text}")
execute_process(COMMAND "${XMLLINT}" --noout --nonet --schema "${SCHEMA}" "${OUT}/negative/connection-timeout-31.xml"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "xmllint accepted ConnectionTimeout 31 (maxInclusive 30): the schema is not being applied")
endif()

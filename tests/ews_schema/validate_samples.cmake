# cmake -DSAMPLES=<generator> -DXMLLINT=<xmllint> -DSCHEMA=<soap-envelope.xsd> -DOUT=<dir>
#       -DMIN_COUNT=<n> -DNEGATIVE=<file in OUT> -DBREAK_FROM=<text> -DBREAK_TO=<text> -DBROKEN_WHY=<words>
#       -P validate_samples.cmake
# Runs a generator that writes whole SOAP envelopes into OUT, validates all of
# them against the EWS schemas, then breaks one of them (BREAK_FROM ->
# BREAK_TO in NEGATIVE) and requires xmllint to reject it, so a validator that
# accepts everything cannot pass. Used for the daemon's requests
# (tests/ews_schema) and for ews-sim's answers (tests/ews-sim).
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${SAMPLES}" "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SAMPLES} failed: ${rc}")
endif()

file(GLOB documents "${OUT}/*.xml")
list(LENGTH documents count)
if(count LESS MIN_COUNT)
  message(FATAL_ERROR "expected at least ${MIN_COUNT} documents, got ${count}")
endif()
# One xmllint run for all documents: compiling the 700 kB schema dominates.
execute_process(COMMAND "${XMLLINT}" --noout --nonet --schema "${SCHEMA}" ${documents}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "schema-invalid documents:\n${err}")
endif()
message(STATUS "${count} documents valid")

file(READ "${OUT}/${NEGATIVE}" text)
string(FIND "${text}" "${BREAK_FROM}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${NEGATIVE} does not contain '${BREAK_FROM}': cannot build the negative sample")
endif()
string(REPLACE "${BREAK_FROM}" "${BREAK_TO}" text "${text}")
file(WRITE "${OUT}/negative/broken.xml" "${text}")
execute_process(COMMAND "${XMLLINT}" --noout --nonet --schema "${SCHEMA}" "${OUT}/negative/broken.xml"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "xmllint accepted ${BROKEN_WHY}: the schema is not being applied")
endif()

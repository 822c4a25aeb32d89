# ctest driver: install the build into a temporary prefix, then build and run programs with
# nothing but the compiler and `pkg-config --cflags --libs`, the way a Makefile user would:
#   c++ -std=c++20 main.cpp $(pkg-config --cflags --libs ding) -o consumer
# Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR, CXX, PKG_CONFIG, VERSION.
cmake_minimum_required(VERSION 3.20)  # policies of a script run with -P
file(REMOVE_RECURSE "${WORK_DIR}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config consumer: step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${ARGN}\n${out}")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
file(GLOB_RECURSE pc_files "${WORK_DIR}/prefix/*/ding.pc")
list(LENGTH pc_files n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "pkg-config consumer: expected one installed ding.pc, found: ${pc_files}")
endif()
get_filename_component(pc_dir "${pc_files}" DIRECTORY)
if(NOT EXISTS "${pc_dir}/ding-sandbox.pc")
  message(FATAL_ERROR "pkg-config consumer: ding-sandbox.pc is not installed next to ding.pc")
endif()
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
run("${PKG_CONFIG}" --exists --print-errors "ding = ${VERSION}")
run("${PKG_CONFIG}" --exists --print-errors "ding-sandbox = ${VERSION}")

# program, package, source
foreach(case "consumer;ding;${SOURCE_DIR}/test/consumer/main.cpp"
             "deprecated_asio;ding;${SOURCE_DIR}/test/packaging/deprecated_asio.cpp"
             "sandbox_consumer;ding-sandbox;${SOURCE_DIR}/test/packaging/sandbox_consumer.cpp")
  list(GET case 0 program)
  list(GET case 1 package)
  list(GET case 2 source)
  run("${PKG_CONFIG}" --cflags --libs ${package})
  string(STRIP "${run_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  # -O0 like a user's debug build, while the library is optimised: the mix that breaks when the
  # two are compiled with different Asio configuration macros (src/CMakeLists.txt).
  run("${CXX}" -std=c++20 -O0 "${source}" ${flags} -o "${WORK_DIR}/${program}")
  run("${WORK_DIR}/${program}")
endforeach()

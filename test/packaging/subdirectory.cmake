# ctest driver: configure, build and run test/packaging/subdirectory, a project that pulls ding
# in with add_subdirectory. Variables: SOURCE_DIR, WORK_DIR, GENERATOR, CXX, LAUNCHER (may be empty).
cmake_minimum_required(VERSION 3.20)  # policies of a script run with -P
file(REMOVE_RECURSE "${WORK_DIR}")
set(configure_command "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/test/packaging/subdirectory" -B "${WORK_DIR}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX}" "-DDING_SOURCE_DIR=${SOURCE_DIR}")
if(LAUNCHER)
  list(APPEND configure_command "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
foreach(step configure build consumer deprecated_asio sandbox_consumer)
  if(step STREQUAL "configure")
    set(command ${configure_command})
  elseif(step STREQUAL "build")
    set(command "${CMAKE_COMMAND}" --build "${WORK_DIR}" -j2)
  else()
    set(command "${WORK_DIR}/${step}")
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "add_subdirectory consumer: ${step} failed (${rc}): ${command}")
  endif()
endforeach()

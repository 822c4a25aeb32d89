include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_ding_install_targets ding)
if(DING_BUILD_SANDBOX)
  list(APPEND _ding_install_targets ding_sandbox)
endif()
install(TARGETS ${_ding_install_targets} EXPORT dingTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/ding DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT dingTargets NAMESPACE ding:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ding)
configure_package_config_file(cmake/dingConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dingConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ding)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dingConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dingConfig.cmake ${PROJECT_BINARY_DIR}/dingConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ding)

# ding-sandbox, the command-line sandbox server (tools/ding_sandbox.cpp).
if(DING_BUILD_SANDBOX)
  install(TARGETS ding_sandbox_tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# pkg-config files (ding.pc, ding-sandbox.pc; test/packaging/pkgconfig.cmake builds against them).
# A static libding.a needs its private dependencies on the link line of every consumer, so they
# are in Libs/Requires; a shared library carries them itself, so they go to the .private fields.
# OpenSSL has a pkg-config file of its own (openssl.pc); Boost has none on Debian, so its include
# and library directories are written out unless the compiler searches them anyway.
function(_ding_pc_dir_flag out flag dir implicit_dirs)
  set(${out} "" PARENT_SCOPE)
  if(dir AND NOT dir IN_LIST implicit_dirs)
    set(${out} " ${flag}${dir}" PARENT_SCOPE)
  endif()
endfunction()
_ding_pc_dir_flag(DING_PC_BOOST_CFLAGS "-I" "${Boost_INCLUDE_DIRS}" "${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES}")
get_target_property(_ding_boost_json_location Boost::json LOCATION)
get_filename_component(_ding_boost_json_dir "${_ding_boost_json_location}" DIRECTORY)
_ding_pc_dir_flag(_ding_boost_json_ldir "-L" "${_ding_boost_json_dir}" "${CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES}")
set(_ding_boost_json_libs "${_ding_boost_json_ldir} -lboost_json")
if(BUILD_SHARED_LIBS)
  set(DING_PC_LINKAGE shared)
  set(DING_PC_REQUIRES "")
  set(DING_PC_REQUIRES_PRIVATE "openssl >= 3.0")
  set(DING_PC_LIBS " -pthread")
  set(DING_PC_LIBS_PRIVATE "${_ding_boost_json_libs}")
  set(DING_SANDBOX_PC_REQUIRES "")
  set(DING_SANDBOX_PC_REQUIRES_PRIVATE "openssl >= 3.0")
else()
  set(DING_PC_LINKAGE static)
  set(DING_PC_REQUIRES "openssl >= 3.0")
  set(DING_PC_REQUIRES_PRIVATE "")
  set(DING_PC_LIBS "${_ding_boost_json_libs} -pthread")
  set(DING_PC_LIBS_PRIVATE "")
  set(DING_SANDBOX_PC_REQUIRES ", openssl >= 3.0")
  set(DING_SANDBOX_PC_REQUIRES_PRIVATE "")
endif()
# ${pcfiledir} is <prefix>/<libdir>/pkgconfig: the way back up to the prefix.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  message(FATAL_ERROR "ding's pkg-config files need a relative CMAKE_INSTALL_LIBDIR (got ${CMAKE_INSTALL_LIBDIR})")
endif()
file(RELATIVE_PATH DING_PC_RELATIVE_PREFIX "/_prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_prefix")
string(REGEX REPLACE "/$" "" DING_PC_RELATIVE_PREFIX "${DING_PC_RELATIVE_PREFIX}")
configure_file(cmake/ding.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/ding.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/ding.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(DING_BUILD_SANDBOX)
  configure_file(cmake/ding-sandbox.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/ding-sandbox.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/ding-sandbox.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

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

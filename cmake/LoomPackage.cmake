# loom as a CMake package for outside projects:
#   find_package(loom CONFIG REQUIRED PATHS <loom build dir>)
#   loom_add_model(net SOURCE model.cpp)
#   target_link_libraries(app PRIVATE net)
set_target_properties(loom_dsl PROPERTIES EXPORT_NAME dsl)
set_target_properties(loom_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(loom_generator_main PROPERTIES EXPORT_NAME generator_main)
export(TARGETS loom_dsl loom_runtime loom_generator_main LoomCompiler LoomImport LoomTransforms
               LoomDialect LoomTargetCpu LoomTargetCuda
       NAMESPACE loom:: FILE ${PROJECT_BINARY_DIR}/loomTargets.cmake)
configure_file(${PROJECT_SOURCE_DIR}/cmake/loomConfig.cmake.in ${PROJECT_BINARY_DIR}/loomConfig.cmake @ONLY)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/loomConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)

# openpca_embed_migrations(OUT_VAR DIALECT FUNCTION)
#
# Generates, at build time, a C++ source defining
#   std::span<const openpca::store::Migration> openpca::store::FUNCTION()
# from migrations/DIALECT/NNNN_name.sql (see store/migration.h), and stores its path in OUT_VAR.
# Adding a .sql file re-runs CMake (CONFIGURE_DEPENDS); editing one regenerates the source.
function(openpca_embed_migrations out_var dialect function_name)
  set(dir ${CMAKE_CURRENT_SOURCE_DIR}/migrations/${dialect})
  set(script ${CMAKE_CURRENT_SOURCE_DIR}/migrations/embed_migrations.cmake)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${dialect}_migrations_embedded.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DOUT=${out} -DFUNCTION=${function_name}
            -P ${script}
    DEPENDS ${sql_files} ${script}
    COMMENT "Embedding ${dialect} schema migrations"
    VERBATIM)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()

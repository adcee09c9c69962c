# cmake -DCXX=compiler -DRSP=include-flags.rsp -DWORK_DIR=dir -DOWN=headers -DVISIBLE=headers
#       -DHIDDEN=headers -P check.cmake
# OWN and VISIBLE headers must preprocess with the include flags in RSP; each HIDDEN header must
# fail to compile because it is not found. Every violation is listed, then the script fails.
file(MAKE_DIRECTORY ${WORK_DIR})
set(problems "")

# Compiles a one-line source `#include <header>` with `mode` (-E or -fsyntax-only).
function(probe header mode out_rc out_err)
  string(MAKE_C_IDENTIFIER "${header}" stem)
  set(source ${WORK_DIR}/${stem}.cpp)
  file(WRITE ${source} "#include <${header}>\n")
  execute_process(COMMAND ${CXX} -std=c++20 ${mode} @${RSP} ${source} -o ${WORK_DIR}/${stem}.out
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  set(${out_rc} ${rc} PARENT_SCOPE)
  set(${out_err} "${err}" PARENT_SCOPE)
endfunction()

foreach(header IN LISTS OWN VISIBLE)
  probe(${header} -E rc err)
  if(NOT rc EQUAL 0)
    list(APPEND problems "<${header}> should be visible but does not preprocess:\n${err}")
  endif()
endforeach()

foreach(header IN LISTS HIDDEN)
  probe(${header} -fsyntax-only rc err)
  string(REGEX REPLACE "([.+])" "\\\\\\1" quoted "${header}")
  if(rc EQUAL 0)
    list(APPEND problems "<${header}> compiles but its module is not linked (a wrong-way include)")
  elseif(NOT err MATCHES "${quoted}(: No such file or directory|' file not found)")
    list(APPEND problems "<${header}> is found but its module is not linked (a wrong-way include); "
                         "the compiler stopped later:\n${err}")
  endif()
endforeach()

list(LENGTH OWN n_own)
list(LENGTH VISIBLE n_visible)
list(LENGTH HIDDEN n_hidden)
if(problems)
  list(JOIN problems "\n" text)
  message(FATAL_ERROR "${text}")
endif()
message(STATUS "${n_own} own headers and ${n_visible} linked modules visible, ${n_hidden} other modules not found")

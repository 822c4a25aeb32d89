# ctest "docs: no braced temporary inside a co_await in example/ and the docs": g++ 12 can destroy
# a braced temporary that appears inside a co_await expression twice (a double free at run time),
# so every example and every documentation block passes named requests. This check fails on a
# line (not a // comment, not prose outside code) where `co_await` is followed, before the end of
# the statement, by a type name and a brace: `co_await op(request{...})`.
# -DFILES=<list of .cpp and .md files>
set(_found 0)
foreach(_file IN LISTS FILES)
  # One list element per line: `;` and brackets would upset CMake's list splitting, so `;`
  # becomes a backtick (which C++ code does not use) and brackets become parentheses.
  file(READ ${_file} _text)
  string(REPLACE ";" "`" _text "${_text}")
  string(REPLACE "[" "(" _text "${_text}")
  string(REPLACE "]" ")" _text "${_text}")
  string(REPLACE "\n" ";" _lines "${_text}")
  set(_n 0)
  set(_in_code FALSE)
  get_filename_component(_ext ${_file} EXT)
  foreach(_line IN LISTS _lines)
    math(EXPR _n "${_n} + 1")
    if(_ext STREQUAL ".md")
      if(_line MATCHES "^```")
        if(_in_code)
          set(_in_code FALSE)
        elseif(_line MATCHES "^```cpp")
          set(_in_code TRUE)
        endif()
        continue()
      endif()
      if(NOT _in_code)
        continue()
      endif()
    endif()
    if(_line MATCHES "^[ \t]*//")
      continue()
    endif()
    if(_line MATCHES "co_await[^`]*[A-Za-z0-9_>]{")
      message("${_file}:${_n}: a braced temporary inside a co_await expression: ${_line}")
      math(EXPR _found "${_found} + 1")
    endif()
  endforeach()
endforeach()
if(_found GREATER 0)
  message(FATAL_ERROR "${_found} co_await expressions hold a braced temporary: name the request first "
                      "(docs/getting-started.md, g++ 12)")
endif()
message("no braced temporary inside a co_await expression")

# ding_set_warnings(target): the warning level every target of this project builds with.
function(ding_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()

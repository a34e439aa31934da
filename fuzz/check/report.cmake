# SPDX-License-Identifier: Apache-2.0
# hvfuzz::report: findings as data (Finding, signature), their text and JSON reports, the
# wait-for graph of actual deadlocks and the interleaving recorder. Depends on model/sync only
# (STYLE.md G1): every detector and backend above it reports through these.
hvfuzz_cc_library(
  NAME report
  HDRS
    finding.h
    interleaving_recorder.h
    report.h
    wait_for_graph.h
  SRCS
    finding.cc
    interleaving_recorder.cc
    report_json.cc
    report_text.cc
    wait_for_graph.cc
  DEPS hvfuzz::sync
)

hvfuzz_cc_test(NAME finding_test SRCS finding_test.cc DEPS hvfuzz::report)
# Golden files live in testdata/; HVFUZZ_UPDATE_GOLDEN=1 (or --update_golden) rewrites them.
hvfuzz_cc_test(NAME report_test SRCS report_test.cc DEPS hvfuzz::report)
hvfuzz_cc_test(NAME wait_for_graph_test SRCS wait_for_graph_test.cc DEPS hvfuzz::report)
hvfuzz_cc_test(NAME interleaving_recorder_test SRCS interleaving_recorder_test.cc
               DEPS hvfuzz::report)
# These tests leave locks held across task switches on purpose (a deadlocked state is what
# they snapshot); the compile-time analysis would reject exactly that.
set_source_files_properties(wait_for_graph_test.cc interleaving_recorder_test.cc
                            PROPERTIES COMPILE_OPTIONS "-Wno-thread-safety")

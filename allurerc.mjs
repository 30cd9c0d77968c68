// Allure 3 configuration for `qualify report`. A plain object on purpose: importing defineConfig
// from "allure" fails when the config is read from outside node_modules' reach. `qualify report`
// sets the QUALIFY_* variables per run; the defaults let `npx allure generate` work by hand.
export default {
  name: process.env.QUALIFY_REPORT_NAME ?? "MHHS qualification",
  output: process.env.QUALIFY_REPORT_OUTPUT ?? "./allure-report",
  // History across runs: one JSON line per run, kept in reports/ beside the run folders.
  historyPath: process.env.QUALIFY_REPORT_HISTORY ?? "./reports/allure-history.jsonl",
  appendHistory: process.env.QUALIFY_APPEND_HISTORY !== "0",
  // The same threshold as `qualify run --min-pass-rate`: one Allure result per requirement, so
  // Allure's success rate (passed / passed+failed+broken) is qualify's pass rate.
  qualityGate: {
    rules: [{ successRate: Number(process.env.QUALIFY_MIN_PASS_RATE ?? "1") }],
  },
  plugins: {
    awesome: {
      options: {
        reportName: process.env.QUALIFY_REPORT_NAME ?? "MHHS qualification",
        reportLanguage: "en",
        singleFile: process.env.QUALIFY_SINGLE_FILE === "1",
        // Process area, then the requirement results.
        groupBy: ["epic"],
      },
    },
  },
};

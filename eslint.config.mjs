// @ts-check
/**
 * ESLint (flat config): typescript-eslint's recommended rules, the type-aware rules that catch
 * promises nobody awaits, and Pulumi's rules against an Output inside a template literal (it would
 * print "Calling [toString] on an [Output<T>] is not supported" instead of the value).
 */
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", ".tmp/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/await-thenable": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // The program loads the Google topology and the log import on demand (require), so the EEA
            // stack never loads @pulumi/gcp, and a stack without log sources never loads @pulumi/tls;
            // and the stack file's YAML reader only when a key holds an encrypted value.
            "@typescript-eslint/no-require-imports": [
                "error",
                {
                    allow: [
                        "^\\./google$",
                        "^\\./stackFile$",
                        "^\\.\\./components/jobs/logImport$",
                        "^@pulumi/pulumi/runtime/config$",
                        "^\\.\\./\\.\\./stacks$",
                    ],
                },
            ],
            eqeqeq: ["error", "always"],
        },
    },
    {
        // Tests read deserialized resource inputs of every type: loosely typed on purpose.
        files: ["test/**/*.ts", "scripts/lib/mockEngine.ts", "scripts/lib/mockProviders.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        // Plain CommonJS: the build and the launcher run before anything is compiled, and a test's
        // preload runs in a process without a TypeScript loader.
        files: ["scripts/*.js", "test/support/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // The bench floor loads the SDKs with plain require (what it measures); the build test loads
        // the launcher Pulumi runs, a CommonJS file.
        files: ["scripts/lib/benchRun.ts", "test/build.test.ts", "test/config-secrets.test.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["**/*.mjs"],
        languageOptions: { globals: { console: "readonly", process: "readonly" } },
    },
);

// Types of scripts/start.mjs (plain JavaScript so that it runs before any build), for test/build.test.ts.
export declare const ENTRY: string;
export declare function newestInput(root: string): number;
export declare function isStale(root: string): boolean;

export function distSourceHash(root: string): string;
export function distHashFile(root: string): string;
export function distIsFresh(root: string): boolean;

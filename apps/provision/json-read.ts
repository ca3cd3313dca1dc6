/** Reading Graph's JSON without trusting its shape: a missing or mistyped field reads as empty. */
import type { GraphObject } from './graph-client.ts';

export const list = (value: unknown): GraphObject[] => (Array.isArray(value) ? (value as GraphObject[]) : []);
export const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
export const str = (value: unknown): string => (typeof value === 'string' ? value : '');
export const sorted = (values: string[]): string[] => [...values].sort();

// The one parser of a repeatable commander option: each occurrence is appended to the list.
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

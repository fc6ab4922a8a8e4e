/** Request bodies and path values several use cases take alike: defined once, so their OpenAPI schema is one. */
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `…/:decision` of a decision by a superior: a proposal's approval, a deadline extension's. */
export const DECISIONS = { approve: 'approve', reject: 'reject' } as const;
export type Decision = keyof typeof DECISIONS;

export class CommentDto {
  @ApiProperty() @IsString() @MaxLength(4000) comment!: string;
}

export class ReasonDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(4000) reason!: string;
}
